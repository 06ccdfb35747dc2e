FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY market ./market
COPY search ./search
RUN pip install --no-cache-dir -e .
# Templates, static files and migrations are read from the source tree next to the package.
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY alembic.ini ./
RUN useradd --create-home market && mkdir -p /data/media && chown market /data/media
USER market
EXPOSE 8000
CMD ["market", "serve", "--host", "0.0.0.0", "--port", "8000"]
