# Ulak: one image for `ulak serve`, `ulak worker` and `ulak migrate` (see docs/deploy.md).
FROM node:22-slim AS ui
WORKDIR /src/admin_ui
COPY admin_ui/package.json admin_ui/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY admin_ui/ ./
RUN npm run build

FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy \
    PATH=/app/.venv/bin:$PATH
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY plugin/ plugin/
COPY handlers/ handlers/
COPY migrations/ migrations/
COPY graphql/ graphql/
COPY manifest.json ./
RUN uv sync --frozen --no-dev
COPY --from=ui /src/admin_ui/dist admin_ui/dist
RUN useradd --system --uid 10001 --home /app ulak && chown -R ulak /app
USER ulak
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["ulak", "serve"]
