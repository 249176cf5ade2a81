"""The yardstick: a bare Flask app rendering a 50-row Jinja table, nothing else."""

from flask import Flask, render_template_string

app = Flask(__name__)

PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Bare</title></head><body>
<table>{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.title }}</td><td>{{ row.status }}</td></tr>{% endfor %}
</table></body></html>"""
ROWS = [{"id": n, "title": f"Review {n}", "status": "voorbereiding"} for n in range(50)]


@app.route("/bare")
def bare() -> str:
    return render_template_string(PAGE, rows=ROWS)
