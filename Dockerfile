FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -e '.[postgres]'
ENV DISARMWATCH_DATA_DIR=/data
CMD ["disarmwatch", "documents"]
