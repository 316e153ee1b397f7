"""Full-text search index over documents (SQLite FTS5 / PostgreSQL tsvector + GIN)

One row per resource: its symbol, title and latest text (tracker.search keeps it current).
Existing stores are indexed here from their latest versions.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.create_table(
            "search_index",
            sa.Column("resource_id", sa.Integer(), nullable=False),
            sa.Column("document_id", sa.Integer(), nullable=False),
            sa.Column("tsv", sa.dialects.postgresql.TSVECTOR(), nullable=False),
            sa.ForeignKeyConstraint(["resource_id"], ["resources.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("resource_id"),
        )
        op.create_index("ix_search_index_document", "search_index", ["document_id"])
        op.create_index("ix_search_index_tsv", "search_index", ["tsv"], postgresql_using="gin")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "document_id UNINDEXED, symbol, title, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
    _backfill(bind)


def _backfill(bind: sa.Connection) -> None:
    from tracker.models import Version
    from tracker.queries import version_text
    from tracker.search import index_version

    session = Session(bind=bind)
    latest = sa.select(sa.column("latest_version_id")).select_from(sa.table("resources"))
    for version in session.execute(sa.select(Version).where(Version.id.in_(latest))).scalars():
        index_version(session, version, version_text(session, version))
    session.flush()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("search_index")
    else:
        op.execute("DROP TABLE search_fts")
