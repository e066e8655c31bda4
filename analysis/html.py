"""report.html: report.md rendered as one self-contained page, figures embedded.

The Markdown of report.md is rendered by Python-Markdown (Debian python3-markdown) and
every PNG it links is inlined as a base64 data URI, so the single file can be mailed or
attached to a ticket and still shows its figures.
"""
import base64
import re

STYLE = """
body { font-family: sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em;
       line-height: 1.4; color: #222; }
table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; }
img { max-width: 100%; display: block; margin: 1em 0 0.3em; }
pre { background: #f4f4f4; padding: 0.6em; overflow-x: auto; }
"""


def render(text, figdir):
    """The HTML page for Markdown `text` whose images are files in `figdir`.

    Raises ImportError without Python-Markdown; only --html needs it.
    """
    import markdown

    body = markdown.markdown(text, extensions=["tables", "fenced_code"])

    def inline(match):
        data = base64.b64encode((figdir / match.group(1)).read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^"/:]+\.png)"', inline, body)
    title = text.splitlines()[0].lstrip("# ")
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
            f"</body>\n</html>\n")


def write(path, text, figdir):
    """Write the page to `path` and return it."""
    path.write_text(render(text, figdir), encoding="utf-8")
    return path
