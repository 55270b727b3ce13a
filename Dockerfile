# Gradplay: the same steps as scripts/serve (CPU torch, front end built with npm).
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /gradplay
COPY pyproject.toml package.json package-lock.json ./
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY scripts ./scripts

# torch==2.13.0 from the CPU wheel index (pyproject pins the version).
ENV PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN scripts/setup

ENV GRADPLAY_HOST=0.0.0.0 GRADPLAY_PORT=8000
EXPOSE 8000
CMD [".venv/bin/python", "-m", "app"]
