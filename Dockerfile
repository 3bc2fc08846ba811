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
RUN pip install --no-cache-dir "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu \
 && pip install --no-cache-dir -e .
EXPOSE 8000 8766
CMD ["assistant", "serve", "--host", "0.0.0.0"]
