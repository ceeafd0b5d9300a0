FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/venv PATH="/venv/bin:$PATH"
WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.8
COPY pyproject.toml uv.lock ./
# Locked, hash-checked production dependencies only.
RUN uv sync --locked --no-dev --no-install-project --compile-bytecode
COPY . .
RUN useradd --system --home /app botilbud && chown -R botilbud /app
USER botilbud
EXPOSE 8000
CMD ["python", "manage.py", "serve", "--bind", "0.0.0.0:8000"]
