-- The ledger's set-up syncs (payees, splits with their shares, advances, exchange rates): every
-- synced row carries the HLC of its last write. A split's shares are written once with their
-- split (a new split version replaces them), so they start with the split's clock.
ALTER TABLE split_shares ADD COLUMN hlc TEXT NOT NULL DEFAULT '';
UPDATE split_shares SET hlc = (SELECT s.hlc FROM splits s WHERE s.id = split_shares.split_id);
