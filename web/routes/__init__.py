"""One APIRouter per concern; ``web.app.create_app`` includes them."""
