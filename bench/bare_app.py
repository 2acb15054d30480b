"""The baseline for bench/registration.py: a bare Flask form endpoint, served the same way."""

from flask import Flask, redirect, request

app = Flask(__name__)
FORM = ('<form method="post"><input name="csrf_token" type="hidden" value="bare">'
        '<input name="email"><button>Register</button></form>')


@app.get("/register")
def form():
    """The form, with a token field like the real one."""
    return FORM


@app.post("/register")
def register():
    """Read the posted form and redirect, as the real endpoint does after a registration."""
    return redirect(f"/register?done={len(request.form.get('email', ''))}", 302)
