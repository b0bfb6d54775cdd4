# The bot as a service: `docker compose up` (see docker-compose.yml and README → Deployment).
# Slim Python ≥ 3.11, the dependencies pinned in pyproject.toml, the content baked in, and a
# non-root user. The HEALTHCHECK asks the bot's own /readyz (database + scheduler) on HEALTH_PORT.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (pinned with == in pyproject.toml) so code changes reuse this layer.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY scheduler ./scheduler
RUN pip install -e .

COPY content ./content

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin mle \
    && mkdir -p /data && chown mle /data
USER mle

# Defaults for the container; docker-compose.yml points DATABASE_URL at PostgreSQL instead.
ENV MLE_CONTENT_DIR=/app/content \
    DATABASE_URL=sqlite:////data/mle-bot.db \
    SLACK_PORT=3000 \
    HEALTH_PORT=8080
VOLUME ["/data"]
EXPOSE 3000 8080

HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]

CMD ["python", "-m", "bot", "run"]
