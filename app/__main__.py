"""`python -m app` starts the server with the settings' host and port."""

import uvicorn

from app.settings import settings

if __name__ == "__main__":
    print(f"Gradplay is running: open http://{settings.host}:{settings.port}")
    uvicorn.run("app.main:app", host=settings.host, port=settings.port)
