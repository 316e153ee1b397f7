"""Extractor versions: which extractor made each version's text, and the texts it replaced

`versions.extractor_version` records the text extraction rules (tracker.extract's
EXTRACTOR_VERSION) that made a version's text; every existing version was made by version 1.
When the rules change, tracker.reextract re-extracts stored versions from their raw files and
keeps each replaced text in `version_texts`. `reextract_failed_version` and `reextract_error`
mark a version whose raw file the newer extractor could not read (it keeps its text and is not
tried again until the next extractor version). Re-extraction looks up the capture that brought
each version, hence the index on `captures.version_id`.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends: no table copy on SQLite, no rewrite on PostgreSQL 11+.
    op.add_column(
        "versions",
        sa.Column("extractor_version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.add_column("versions", sa.Column("reextract_failed_version", sa.Integer(), nullable=True))
    op.add_column("versions", sa.Column("reextract_error", sa.Text(), nullable=True))
    op.create_table(
        "version_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("extractor_version", sa.Integer(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("text_size", sa.BigInteger(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["text_sha256"], ["blobs.sha256"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_version_texts_version_id", "version_texts", ["version_id"])
    op.create_index("ix_captures_version", "captures", ["version_id"])


def downgrade() -> None:
    op.drop_index("ix_captures_version", table_name="captures")
    op.drop_index("ix_version_texts_version_id", table_name="version_texts")
    op.drop_table("version_texts")
    with op.batch_alter_table("versions") as batch:  # SQLite drops columns by a table copy
        batch.drop_column("reextract_error")
        batch.drop_column("reextract_failed_version")
        batch.drop_column("extractor_version")
