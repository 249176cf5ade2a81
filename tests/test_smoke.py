def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Inloggen" in response.get_data(as_text=True)


def test_taxonomy_is_seeded(app):
    from learning.admin.models import TaxonomyTerm
    from learning.db import db
    import sqlalchemy as sa
    assert db.session.scalar(sa.select(sa.func.count(TaxonomyTerm.id))) == 29
