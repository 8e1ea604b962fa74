import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# After the settings module is chosen.
from antre.ops.wsgi import get_application

application = get_application()
