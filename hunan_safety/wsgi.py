import os

from django.core.wsgi import get_wsgi_application

from hunan_safety.collector import freeze_after_first_request

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hunan_safety.settings")

application = get_wsgi_application()
freeze_after_first_request()
