# disarmwatch: the service (scheduler + web/API) as the README runs it.
FROM python:3.11-slim
WORKDIR /app
COPY . /app
# The README's install, with the PostgreSQL driver (docker-compose.yml runs PostgreSQL 16).
RUN pip install --no-cache-dir -e '.[postgres]'
ENV DISARMWATCH_DATA_DIR=/data
EXPOSE 8000
# Migrations are applied at start; SIGTERM (docker stop) lets a running crawl end cleanly.
STOPSIGNAL SIGTERM
CMD ["disarmwatch", "serve", "--host", "0.0.0.0"]
