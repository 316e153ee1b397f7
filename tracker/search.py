"""Full-text search over documents: symbol, title and the latest text of each resource.

One index row per resource (its latest version), replaced whenever a new version is stored
(`index_version`, called by `Store._new_version` inside the capture's transaction, so the index
never lags behind the versions). The tables come from migration 0003:

* SQLite: FTS5 virtual table `search_fts(document_id UNINDEXED, symbol, title, body)`, rowid =
  resource id, tokenizer unicode61 (diacritics folded).
* PostgreSQL: `search_index(resource_id, document_id, tsv)` with a GIN index; the `simple`
  configuration (no stemming: the texts are in six languages).

Chinese and Japanese have no spaces between words, so both backends would see a whole sentence
as one token. Ideographs are therefore indexed one per token, and a query's ideographs are
searched as a phrase: a substring search for CJK text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from tracker.models import Document, Resource, Version

BODY_LIMIT = 300_000  # characters indexed per resource (PostgreSQL tsvectors are capped at 1 MB)
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af])")
_WORD = re.compile(r"\w+")


def split_cjk(text: str) -> str:
    """Ideographs (and kana, hangul) become single-character tokens."""
    return _CJK.sub(r" \1 ", text)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def index_version(session: Session, version: Version, text: str) -> None:
    """Make `version` (just flushed) the searchable text of its resource."""
    res = session.get(Resource, version.resource_id)
    if res is None:
        return
    doc = session.get(Document, res.document_id)
    if doc is None:
        return
    title = split_cjk(version.title or doc.title or "")
    body = split_cjk(text[:BODY_LIMIT])
    params = {"rid": res.id, "did": doc.id, "symbol": doc.key, "title": title, "body": body}
    if _is_postgres(session):
        session.execute(
            sql(
                "INSERT INTO search_index (resource_id, document_id, tsv) VALUES (:rid, :did, "
                "setweight(to_tsvector('simple', :symbol), 'A') || "
                "setweight(to_tsvector('simple', :title), 'B') || "
                "setweight(to_tsvector('simple', :body), 'D')) "
                "ON CONFLICT (resource_id) DO UPDATE SET tsv = EXCLUDED.tsv"
            ),
            params,
        )
    else:
        session.execute(sql("DELETE FROM search_fts WHERE rowid = :rid"), params)
        session.execute(
            sql(
                "INSERT INTO search_fts (rowid, document_id, symbol, title, body) "
                "VALUES (:rid, :did, :symbol, :title, :body)"
            ),
            params,
        )


@dataclass
class Match:
    document_id: int
    rank: float


_QUOTED = re.compile(r'"([^"]*)"')


def _phrases(query: str) -> list[str]:
    """What must be found: each word of the query, and each "quoted phrase" as one, as lists
    of tokens to be found next to each other. An unbalanced quote is a plain character."""
    out: list[str] = []

    def words(text: str) -> None:
        for word in text.split():
            tokens = _WORD.findall(split_cjk(word))
            if tokens:
                out.append(" ".join(tokens))

    pos = 0
    for quoted in _QUOTED.finditer(query):
        words(query[pos : quoted.start()])
        tokens = _WORD.findall(split_cjk(quoted.group(1)))
        if tokens:
            out.append(" ".join(tokens))
        pos = quoted.end()
    words(query[pos:])
    return out


def fts5_query(query: str) -> str | None:
    """A safe FTS5 MATCH expression: every word as a quoted phrase, all required."""
    phrases = _phrases(query)
    if not phrases:
        return None
    return " ".join('"' + p.replace('"', '""') + '"' for p in phrases)


def search_ids(session: Session, query: str, limit: int = 5000) -> list[Match]:
    """Documents whose symbol, title or latest text match all words of `query`, best first."""
    phrases = _phrases(query)
    if not phrases:
        return []
    if _is_postgres(session):
        params: dict[str, object] = {f"p{i}": p for i, p in enumerate(phrases)}
        tsq = " && ".join(f"phraseto_tsquery('simple', :p{i})" for i in range(len(phrases)))
        rows = session.execute(
            sql(
                f"SELECT document_id, max(ts_rank(tsv, q)) AS rank "  # noqa: S608 - no user text
                f"FROM search_index, ({'SELECT ' + tsq + ' AS q'}) AS query "
                f"WHERE tsv @@ q GROUP BY document_id ORDER BY rank DESC LIMIT :limit"
            ),
            {**params, "limit": limit},
        ).all()
        return [Match(int(d), float(r)) for d, r in rows]
    # bm25 cannot sit inside an aggregate (SQLite flattens subqueries): rank rows with FTS5's
    # `rank` column (symbol, title, body weighted 10/5/1) and keep each document's best row.
    rows = session.execute(
        sql(
            "SELECT document_id, rank FROM search_fts "
            "WHERE search_fts MATCH :q AND rank MATCH 'bm25(0.0, 10.0, 5.0, 1.0)' "
            "ORDER BY rank LIMIT :limit"
        ),
        {"q": fts5_query(query), "limit": limit},
    ).all()
    best: dict[int, float] = {}
    for doc_id, score in rows:
        best.setdefault(int(doc_id), -float(score))  # bm25: lower is better
    return [Match(d, r) for d, r in best.items()]
