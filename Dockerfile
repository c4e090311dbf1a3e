# vetbot: the Telegram bot in webhook mode (VETBOT_MODE=polling for long polling).
#   docker build -t vetbot .        then see compose.yaml for volumes, port and settings
# Settings come from the environment (.env.example documents each); none is baked in.

ARG PYTHON_IMAGE=python:3.11-slim

# ---- build: wheels of the project and its pinned dependencies, a venv, compiled catalogs
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY bot/ bot/
COPY conversations/ conversations/
COPY locales/ locales/
RUN pip wheel --no-deps -w /wheels . \
 && pip wheel -c constraints.txt -w /wheels /wheels/vetbot-*.whl \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-index --find-links /wheels vetbot
# Ship only the compiled .mo files: with no .po beside them, bot/i18n.py reads the .mo.
RUN /opt/venv/bin/pybabel compile -d locales -D vetbot --statistics \
 && find locales -name '*.po' -delete && rm locales/vetbot.pot

# ---- runtime: the venv (same base image, same paths), the catalogs, two small scripts
FROM ${PYTHON_IMAGE}
RUN useradd --system --user-group --uid 10001 --no-create-home --home-dir /nonexistent vetbot \
 && mkdir /data && chown vetbot:vetbot /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/locales /opt/vetbot/locales
COPY docker/entrypoint.sh docker/healthcheck.py /opt/vetbot/
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VETBOT_LOCALES_DIR=/opt/vetbot/locales \
    VETBOT_DATA_DIR=/data \
    VETBOT_MODE=webhook \
    WEBHOOK_PORT=8080
WORKDIR /opt/vetbot
# The SQLite store and conversation state: back this volume up.
VOLUME ["/data"]
# Webhook mode listens here (WEBHOOK_PORT); polling mode needs no port.
EXPOSE 8080
# /healthz in webhook mode; in polling mode a running container is a live bot (PID 1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/opt/venv/bin/python", "/opt/vetbot/healthcheck.py"]
USER vetbot
ENTRYPOINT ["/opt/vetbot/entrypoint.sh"]
# No arguments: the mode's command. `docker run IMAGE check` runs `vetbot check`.
CMD []
