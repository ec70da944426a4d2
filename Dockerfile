# The image web, worker and beat run from (docker-compose.yml).

# Front-end packages from the npm registry, exactly as locked.
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# Enforcement documents as PDF (WeasyPrint): Pango, HarfBuzz's subsetter and CJK fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 hunan
# LibreOffice Calc (headless) prints exported ledgers to PDF: the print test (tests/ledger/test_export_print.py).
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui poppler-utils \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY --from=assets /app/node_modules ./node_modules
COPY . .
# Compile translations and collect static files at build time; neither needs secrets.
RUN for po in locale/*/LC_MESSAGES/django.po; do pybabel compile -i "$po" -o "${po%.po}.mo"; done \
    && DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=localhost VAR_DIR=/app/var \
       python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media /app/var/beat \
    && chown -R hunan:hunan /app/var
USER hunan
EXPOSE 8000
CMD ["gunicorn", "hunan_safety.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--worker-class", "gthread", "--threads", "2"]
