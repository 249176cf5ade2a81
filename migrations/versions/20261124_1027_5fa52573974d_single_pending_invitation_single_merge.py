"""One open invitation per address and review, and one shared copy per merged episode.

Written by hand: SQLite cannot reflect the partial expression index, so autogenerate does
not see it. Both guard against double submissions that slip past the checks in the services.

Revision ID: 5fa52573974d
Revises: 2a38c382fdde
Create Date: 2026-11-24 10:27:50.133856

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5fa52573974d'
down_revision = '2a38c382fdde'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade():
    # Older open invitations that ran out would block the new index: mark them expired first.
    op.execute("UPDATE review_invitations SET status = 'expired' WHERE status = 'pending' AND expires_at < CURRENT_TIMESTAMP")
    op.create_index('uq_review_invitations_pending', 'review_invitations', ['review_id', sa.text('lower(email)')],
                    unique=True, sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_index('uq_episodes_merged_from_id', 'episodes', ['merged_from_id'], unique=True)


def downgrade():
    op.drop_index('uq_episodes_merged_from_id', table_name='episodes')
    op.drop_index('uq_review_invitations_pending', table_name='review_invitations')
