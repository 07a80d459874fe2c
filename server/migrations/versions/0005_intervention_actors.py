"""who wrote the message an intervention is about

A person's (agent's or advisor's) message to a client passes the same compliance filter as the
Assistant's replies; its interventions name the person by role and staff id. Both are null for
the Assistant's replies and clients' messages.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("interventions", sa.Column("actor_role", sa.String(length=20), nullable=True))
    op.add_column("interventions", sa.Column("actor_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("interventions", "actor_id")
    op.drop_column("interventions", "actor_role")
