"""demo client profiles

The client-profile source is a demo table until a brokerage's CRM is connected: these rows let a
newcomer try tiers and risk levels with `anxin token --sub C001` and friends.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DEMO_CLIENTS = [
    ("C001", "演示客户一", "basic", "C3"),
    ("C002", "演示客户二", "growth", "C4"),
    ("C003", "演示客户三", "hnw", "C5"),
    ("C004", "演示客户四", "basic", "C1"),
    ("C005", "演示客户五", "growth", None),
]


def upgrade() -> None:
    clients = sa.table(
        "clients",
        sa.column("id", sa.String),
        sa.column("display_name", sa.String),
        sa.column("tier", sa.String),
        sa.column("risk_level", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        clients,
        [
            {"id": cid, "display_name": name, "tier": tier, "risk_level": risk, "created_at": now}
            for cid, name, tier, risk in DEMO_CLIENTS
        ],
    )


def downgrade() -> None:
    ids = ", ".join(f"'{cid}'" for cid, *_ in DEMO_CLIENTS)
    op.execute(f"DELETE FROM clients WHERE id IN ({ids})")
