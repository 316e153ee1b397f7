"""Indexes for the web's reads: documents by key, a resource's versions by first seen

`find_document` looks documents up by key alone, which the (kind, key) unique index cannot serve
(kind comes first): every document page and API call scanned the documents table. The versions
API orders a document's versions by first seen: with (resource_id, first_seen_at, seq) the order
comes from the index (covering on SQLite, where the id is the rowid) instead of sorting every
version row of the document (1.4 ms -> 0.2 ms for 1,000 versions on SQLite).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_documents_key", "documents", ["key"])
    op.create_index(
        "ix_versions_resource_seen", "versions", ["resource_id", "first_seen_at", "seq"]
    )


def downgrade() -> None:
    op.drop_index("ix_versions_resource_seen", table_name="versions")
    op.drop_index("ix_documents_key", table_name="documents")
