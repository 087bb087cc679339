# gwangju-ai-watch in a container: non-root, state on a volume.
#   docker build -t gwangju-ai-watch .
#   docker run -d --name gwatch --restart unless-stopped \
#     -e TELEGRAM_BOT_TOKEN=123:ABC -v gwatch-state:/data \
#     -v $PWD/config.toml:/etc/gwangju-ai-watch/config.toml:ro gwangju-ai-watch
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY scrapers ./scrapers
COPY state/__init__.py state/store.py ./state/
RUN pip install . && useradd --system --uid 10001 --home /data gwatch \
    && mkdir -p /data /etc/gwangju-ai-watch && chown gwatch /data
COPY deploy/config.example.toml /etc/gwangju-ai-watch/config.toml
RUN sed -i 's#^path = .*#path = "/data/state.json"#' /etc/gwangju-ai-watch/config.toml

USER gwatch
VOLUME ["/data"]
WORKDIR /data
STOPSIGNAL SIGTERM
ENTRYPOINT ["gwangju-ai-watch"]
CMD ["run", "--config", "/etc/gwangju-ai-watch/config.toml"]
