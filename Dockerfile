# One image for the assistant and the reference commerce service (the command differs).
# Not built on the development machines (they have no Docker engine); see README "Scale-out".
FROM python:3.11-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends cmake g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY assistant assistant
COPY ingest ingest
COPY commerce commerce
COPY evals evals
COPY prompts prompts
COPY data data
# WITH_LOCAL_MODEL=1 adds the embedded llama.cpp server, built for any x86-64-v3 CPU (never -march=native:
# an image runs on machines other than the one that built it).
ARG WITH_LOCAL_MODEL=0
RUN pip install --no-cache-dir "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu \
 && if [ "$WITH_LOCAL_MODEL" = 1 ]; then \
      pip install --no-cache-dir "iced-x86==1.21.0" "pyelftools>=0.31,<1" \
      && python -m assistant.components.llm.portable_build ensure \
      && pip install --no-cache-dir -e ".[local,model-default]"; \
    else pip install --no-cache-dir -e .; fi
EXPOSE 8000 8766
CMD ["assistant", "serve", "--host", "0.0.0.0"]
