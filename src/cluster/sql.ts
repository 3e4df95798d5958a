// Statements of the cluster tables (created by migration 3 in store/postgres-migrations.ts). Every
// expiry is judged by the database's clock (now()), never by an instance's own.

/** $1 cluster, $2 instance, $3 config hash, $4 lease ms. A lapsed row rejoins with a new epoch. */
export const RENEW_MEMBER = `
  INSERT INTO cluster_members AS m (cluster, instance, epoch, config_hash, joined_at, renewed_at, expires_at)
  VALUES ($1, $2, 1, $3, now(), now(), now() + $4 * interval '1 millisecond')
  ON CONFLICT (cluster, instance) DO UPDATE SET
    epoch = CASE WHEN m.expires_at > now() THEN m.epoch ELSE m.epoch + 1 END,
    joined_at = CASE WHEN m.expires_at > now() THEN m.joined_at ELSE now() END,
    config_hash = excluded.config_hash, renewed_at = now(), expires_at = excluded.expires_at
  RETURNING epoch`;

/**
 * $1 cluster, $2 instance, $3 lease ms. Takes the alerter's lease when it is free or lapsed, or
 * renews one's own; every change of holder (and a lapsed holder coming back) raises the epoch.
 */
export const CLAIM_LEADER = `
  INSERT INTO cluster_leader AS l (cluster, instance, epoch, expires_at)
  VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
  ON CONFLICT (cluster) DO UPDATE SET
    epoch = CASE WHEN l.instance = excluded.instance AND l.expires_at > now() THEN l.epoch ELSE l.epoch + 1 END,
    instance = excluded.instance, expires_at = excluded.expires_at
  WHERE l.expires_at <= now() OR l.instance = excluded.instance`;

/** $1 cluster. */
export const SELECT_MEMBERS = `
  SELECT instance, epoch, config_hash, expires_at > now() AS alive,
    (extract(epoch FROM renewed_at) * 1000)::float8 AS last_seen
  FROM cluster_members WHERE cluster = $1 ORDER BY instance`;

/** $1 cluster. */
export const SELECT_LEADER = `
  SELECT instance, epoch, expires_at > now() AS alive FROM cluster_leader WHERE cluster = $1`;

/** $1 cluster, $2 instance: a clean stop hands over at once. */
export const RELEASE_MEMBER = `
  UPDATE cluster_members SET expires_at = now() WHERE cluster = $1 AND instance = $2`;
export const RELEASE_LEADER = `
  UPDATE cluster_leader SET expires_at = now() WHERE cluster = $1 AND instance = $2`;

/** $1 cluster: rows of instances gone for a day are forgotten. */
export const FORGET_MEMBERS = `
  DELETE FROM cluster_members WHERE cluster = $1 AND expires_at < now() - interval '1 day'`;

/**
 * $1 cluster, $2 instance, $3 epoch: run first in a transaction that writes as the alerter. The
 * row lock makes a concurrent change of leader wait for this transaction, or makes this one see it.
 */
export const HOLDS_LEADER = `
  SELECT 1 FROM cluster_leader
  WHERE cluster = $1 AND instance = $2 AND epoch = $3 AND expires_at > now() FOR SHARE`;

/** $1 instance, $2 epoch, $3 outbox id: marks who sends a pending message. */
export const CLAIM_MESSAGE = `
  UPDATE outbox SET claimed_by = $1, claimed_epoch = $2
  WHERE id = $3 AND sent_at IS NULL AND dropped_at IS NULL`;

/** States written after $1 (a database timestamp). */
export const SELECT_CHANGED_STATES = `
  SELECT e.name, s.* FROM states s JOIN entities e ON e.id = s.entity_id WHERE s.changed_at > $1::timestamptz`;

export const CHANNEL = 'pulsemap_cluster';
