FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN STEWARD_ENV=production SECRET_KEY=build-only-not-secret FIELD_ENCRYPTION_KEY=build-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput
RUN useradd --create-home steward && chown -R steward /app/var
USER steward
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "-c", "config/gunicorn.conf.py"]
