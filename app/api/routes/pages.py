"""The HTML pages (Jinja2 templates); the browser does the drawing from the JSON API."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

ROOT = Path(__file__).resolve().parents[3]
templates = Jinja2Templates(directory=ROOT / "templates")
router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> RedirectResponse:
    """The Graph lab is the front door."""
    return RedirectResponse("/graph")


@router.get("/graph", response_class=HTMLResponse)
def graph_page(request: Request) -> HTMLResponse:
    """The Graph lab: type a program, watch values flow forward and gradients flow back."""
    return templates.TemplateResponse(request, "graph.html", {"page": "graph"})


@router.get("/train", response_class=HTMLResponse)
def train_page(request: Request) -> HTMLResponse:
    """The Training lab: train a small network and watch it learn."""
    return templates.TemplateResponse(request, "train.html", {"page": "train"})
