from antre.api.app import api

__all__ = ["api"]
