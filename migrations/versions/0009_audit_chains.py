"""The audit log as one hash chain per contest plus a system chain (operations.md, "Writes scale out")

Every write used to lock the one head row of a single chain until it committed. Entries now belong to
their contest's chain (or the system chain, 0), and each chain has a head row of its own.

Existing entries are rechained verifiably: the old chain is verified first; its entries are then
linked, in their old order, into the chain of their contest; and a last system entry,
`audit.rechain`, records what the old chain was (entries, last seq and hash, whether it verified and
where it first broke) and the head of every new contest chain, which `audit verify` checks from
then on as it checks any anchor. The downgrade links every entry into one chain again, in the order
they were written.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 19:40:00.000000

"""
import hashlib
import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

GENESIS = '0' * 64
SYSTEM_CHAIN = 0
CONTENT = ('at', 'actor_id', 'actor', 'action', 'target', 'contest_id', 'before', 'after')


def entry_hash(row, seq, prev_hash):
    """competition.services.audit_chain.entry_hash, as it stood when this migration was written."""
    at = row['at'].astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')
    content = {'seq': seq, 'at': at, 'actor': row['actor'], 'action': row['action'], 'target': row['target'],
               'contest_id': row['contest_id'], 'before': row['before'], 'after': row['after'],
               'prev_hash': prev_hash}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(',', ':'))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _aware(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _stored(value, dialect):
    return value.replace(tzinfo=None) if dialect == 'sqlite' else value


def _columns(*extra):
    return [sa.column('at', sa.DateTime(timezone=True)), sa.column('actor_id', sa.Integer),
            sa.column('actor', sa.String), sa.column('action', sa.String), sa.column('target', sa.String),
            sa.column('contest_id', sa.Integer), sa.column('before', sa.JSON), sa.column('after', sa.JSON),
            sa.column('prev_hash', sa.String), sa.column('hash', sa.String), *extra]


def _read(table, order):
    rows = op.get_bind().execute(sa.select(table).order_by(order)).mappings().all()
    return [{**row, 'at': _aware(row['at'])} for row in rows]


def _verify_old(rows, head):
    """The old single chain: None when it verifies, else the first bad seq."""
    prev_hash, expected = GENESIS, 1
    for row in rows:
        if row['seq'] != expected:
            return min(row['seq'], expected)
        if row['prev_hash'] != prev_hash or row['hash'] != entry_hash(row, row['seq'], row['prev_hash']):
            return row['seq']
        prev_hash, expected = row['hash'], expected + 1
    if head is not None and (head['seq'], head['hash']) != (expected - 1, prev_hash):
        return expected
    return None


def _create_new_tables():
    op.create_table('audit_heads',
    sa.Column('chain', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_heads'))
    )
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chain', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
    sa.UniqueConstraint('chain', 'seq', name=op.f('uq_audit_entries_chain_seq'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_seq', ['seq'], unique=False)


def upgrade():
    bind = op.get_bind()
    old = sa.table('audit_entries', sa.column('seq', sa.Integer), *_columns())
    rows = _read(old, old.c.seq)
    head = bind.execute(sa.text('SELECT seq, hash FROM audit_head WHERE id = 1')).mappings().first()
    first_bad = _verify_old(rows, head)
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_contest_id'))
    op.drop_table('audit_entries')
    op.drop_table('audit_head')
    _create_new_tables()

    chains = {SYSTEM_CHAIN: (0, GENESIS)}
    linked = []
    for row in rows:
        chain = row['contest_id'] if row['contest_id'] is not None else SYSTEM_CHAIN
        seq, prev_hash = chains.get(chain, (0, GENESIS))
        digest = entry_hash(row, seq + 1, prev_hash)
        linked.append({**{name: row[name] for name in CONTENT}, 'chain': chain, 'seq': seq + 1,
                       'prev_hash': prev_hash, 'hash': digest})
        chains[chain] = (seq + 1, digest)
    if rows:  # the record of the rechaining, at the end of the system chain
        seq, prev_hash = chains[SYSTEM_CHAIN]
        record = {'at': datetime.now(timezone.utc), 'actor_id': None, 'actor': 'system', 'action': 'audit.rechain',
                  'target': 'audit', 'contest_id': None, 'before': None, 'after': {
                      'previous': {'entries': len(rows), 'seq': head['seq'] if head else None,
                                   'hash': head['hash'] if head else None, 'verified': first_bad is None,
                                   'first_bad_seq': first_bad},
                      'chains': {str(c): {'seq': s, 'hash': h} for c, (s, h) in sorted(chains.items())
                                 if c != SYSTEM_CHAIN}}}
        digest = entry_hash(record, seq + 1, prev_hash)
        linked.append({**record, 'chain': SYSTEM_CHAIN, 'seq': seq + 1, 'prev_hash': prev_hash, 'hash': digest})
        chains[SYSTEM_CHAIN] = (seq + 1, digest)
    new = sa.table('audit_entries', sa.column('chain', sa.Integer), sa.column('seq', sa.Integer), *_columns())
    dialect = bind.dialect.name
    for start in range(0, len(linked), 1000):
        op.bulk_insert(new, [{**row, 'at': _stored(row['at'], dialect)} for row in linked[start:start + 1000]])
    heads = sa.table('audit_heads', sa.column('chain', sa.Integer), sa.column('seq', sa.Integer),
                     sa.column('hash', sa.String))
    op.bulk_insert(heads, [{'chain': c, 'seq': s, 'hash': h} for c, (s, h) in sorted(chains.items())])


def downgrade():
    bind = op.get_bind()
    new = sa.table('audit_entries', sa.column('id', sa.Integer), sa.column('seq', sa.Integer), *_columns())
    rows = _read(new, new.c.id)
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_seq')
    op.drop_table('audit_entries')
    op.drop_table('audit_heads')
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('audit_entries',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_contest_id'), ['contest_id'], unique=False)
    seq, prev_hash, chained = 0, GENESIS, []
    for row in rows:  # one chain again, in the order the entries were written
        seq += 1
        digest = entry_hash(row, seq, prev_hash)
        chained.append({**{name: row[name] for name in CONTENT}, 'at': _stored(row['at'], bind.dialect.name),
                        'seq': seq, 'prev_hash': prev_hash, 'hash': digest})
        prev_hash = digest
    old = sa.table('audit_entries', sa.column('seq', sa.Integer), *_columns())
    for start in range(0, len(chained), 1000):
        op.bulk_insert(old, chained[start:start + 1000])
    op.bulk_insert(sa.table('audit_head', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
                            sa.column('hash', sa.String)), [{'id': 1, 'seq': seq, 'hash': prev_hash}])
