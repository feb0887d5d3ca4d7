# Both stages must use the same interpreter: the venv links to the base image's python.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /build
# Install the dependencies and the `colloquy` entry point against an empty `app` package, so
# this layer is rebuilt only when pyproject.toml changes. The real code is imported from
# /srv/colloquy (PYTHONPATH) at run time. README.md is left out on purpose; the warning is harmless.
# No extras: the embedded PostgreSQL wheel has no place in the image, which is given DATABASE_URL.
# pip and setuptools only install: they are taken out of the venv that the image keeps.
COPY pyproject.toml ./
RUN mkdir app && touch app/__init__.py && pip install . \
 && pip uninstall --yes pip setuptools

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/srv/colloquy \
    COLLOQUY_HOST=0.0.0.0 \
    COLLOQUY_PORT=8000
RUN groupadd --system --gid 10001 colloquy \
 && useradd --system --uid 10001 --gid colloquy --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin colloquy
COPY --from=builder /opt/venv /opt/venv
WORKDIR /srv/colloquy
# The code finds migrations/ next to app/. Files stay root-owned: the service can't rewrite them.
COPY alembic.ini ./
COPY migrations/ migrations/
COPY app/ app/
USER 10001:10001
EXPOSE 8000
# slim has no curl; urlopen raises (python exits 1) on refusal, timeout or a non-2xx status.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('COLLOQUY_PORT', '8000'), timeout=4)"]
# colloquy is PID 1, so it gets the SIGTERM of `docker stop` and drains before it exits (give it
# COLLOQUY_DRAIN_SECONDS + COLLOQUY_SHUTDOWN_TIMEOUT: `docker stop -t 30`). serve migrates first
# (safe with replicas starting together: they take turns on a lock); where migrations run once
# before the servers start, as in compose.yaml, use `colloquy serve --no-migrate`. Without
# DATABASE_URL it stops at once with one line saying to set it (exit 2).
CMD ["colloquy", "serve"]
