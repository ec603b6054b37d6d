import type { Migration } from '@payments/event-store/postgres-migrations';

/**
 * The read models' tables and the functions that write them (PostgresReadModelStore).
 *
 * - Every row carries the generation of its collection it belongs to: 0 until a rebuild is
 *   published, then the rebuild's. `read_model_served_collections` says which generation of a
 *   collection readers see (no row: 0); a rebuild writes its generation beside the served one,
 *   so publishing it repoints that table and the checkpoint in one small transaction, whatever
 *   the size of the data, and a rebuild killed halfway leaves rows nobody reads until the next
 *   rebuild of the projection deletes them.
 * - Ids, collections and index names compare byte-wise (COLLATE "C"), as SQLite and Redis
 *   order them, so equal scores page in the same order on every adapter whatever the
 *   database's locale.
 * - index_entries' primary key is the list order (score, then id), so a page is a range scan;
 *   the second index finds a document's memberships when a put replaces them. index_sizes
 *   counts each index's members, kept by the same statements, so a page's total is one row
 *   rather than a count of the whole index (a collection's commits take turns on its
 *   projection's checkpoint row, so these rows see no more contention than that one).
 * - read_model_checkpoints holds a projection's position and the generation it describes in
 *   one row, so a commit's compare-and-set of both is one conditional UPDATE: the row lock
 *   makes concurrent committers (several service processes) take turns, and the second sees
 *   the first's position in its WHERE and changes nothing. A row with a NULL position is a
 *   projection with no checkpoint (after a reset, or an empty rebuild published).
 * - read_model_rebuilds: per projection, the last generation a rebuild began (numbers are
 *   never reused), whether it is still building, and its own checkpoint.
 *
 * Each write is one function call, so a commit is one round trip and one transaction however
 * many documents it writes: the writes come as parallel arrays (unnest; see read_model_apply),
 * one statement per kind of change. Within a commit only the last write of a document counts (a put replaces the
 * document and all its memberships, a delete removes both), so the caller sends that one alone
 * and the statements need no order.
 */
export const READ_MODEL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents, index entries, checkpoints and generations, and the functions that write them',
    sql: `
CREATE TABLE read_model_documents (
  collection text COLLATE "C" NOT NULL,
  generation integer NOT NULL,
  id         text COLLATE "C" NOT NULL,
  doc        text NOT NULL,
  PRIMARY KEY (collection, generation, id)
);
CREATE TABLE read_model_index_entries (
  collection text COLLATE "C" NOT NULL,
  generation integer NOT NULL,
  index_name text COLLATE "C" NOT NULL,
  score      double precision NOT NULL,
  id         text COLLATE "C" NOT NULL,
  PRIMARY KEY (collection, generation, index_name, score, id)
);
CREATE UNIQUE INDEX read_model_index_entries_by_document ON read_model_index_entries (collection, generation, id, index_name);
CREATE TABLE read_model_index_sizes (
  collection text COLLATE "C" NOT NULL,
  generation integer NOT NULL,
  index_name text COLLATE "C" NOT NULL,
  size       bigint NOT NULL,
  PRIMARY KEY (collection, generation, index_name)
);
CREATE TABLE read_model_checkpoints (
  projection text PRIMARY KEY,
  position   bigint,
  generation integer NOT NULL
);
CREATE TABLE read_model_served_collections (
  collection text COLLATE "C" PRIMARY KEY,
  generation integer NOT NULL
);
CREATE TABLE read_model_rebuilds (
  projection text PRIMARY KEY,
  generation integer NOT NULL,
  building   boolean NOT NULL,
  position   bigint
);
CREATE TABLE read_model_followed_event_store (
  singleton boolean PRIMARY KEY CHECK (singleton),
  identity  text NOT NULL
);

-- The served generation of each collection.
CREATE FUNCTION read_model_served(p_collections text[]) RETURNS integer[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(coalesce(s.generation, 0) ORDER BY c.n), '{}')
  FROM unnest(p_collections) WITH ORDINALITY AS c(name, n)
  LEFT JOIN read_model_served_collections s ON s.collection = c.name
$$;

-- The strings of a JSON array, in order.
CREATE FUNCTION read_model_texts(p_array json) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(x.value ORDER BY x.n), '{}') FROM json_array_elements_text(p_array) WITH ORDINALITY AS x(value, n)
$$;

-- Applies a commit's writes to generation p_generation of their collections, or (NULL) to the
-- served one of each. The writes come as parallel arrays: collections and ids as JSON arrays,
-- the documents as one text of their JSON separated by U+001E, which JSON.stringify never
-- writes unescaped ('D' for a delete): so the client escapes nothing, where an array literal
-- of documents costs it more than the statements below. The first p_known writes are those
-- whose documents may have memberships to delete (a rebuild knows the ones it never wrote).
-- The memberships of the puts come as four more JSON arrays.
CREATE FUNCTION read_model_apply(
  p_generation integer, p_collections json, p_ids json, p_docs text, p_known integer,
  p_entry_collections json, p_entry_ids json, p_entry_indexes json, p_entry_scores json
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  collections text[] := read_model_texts(p_collections);
  ids text[] := read_model_texts(p_ids);
  docs text[] := string_to_array(p_docs, E'\\x1e', 'D');
  -- Each row's generation, resolved before the statements below, so that their lookups of the
  -- rows a write replaces are index scans on the whole key.
  generations integer[] := CASE WHEN p_generation IS NULL THEN read_model_served(collections)
    ELSE array_fill(p_generation, ARRAY[cardinality(collections)]) END;
  entry_collections text[] := read_model_texts(p_entry_collections);
  entry_generations integer[] := CASE WHEN p_generation IS NULL THEN read_model_served(entry_collections)
    ELSE array_fill(p_generation, ARRAY[cardinality(entry_collections)]) END;
BEGIN
  -- Not waiting for the WAL to reach the disk: a commit a crash of the server loses takes its
  -- checkpoint with it, so the runner applies those events again (as SQLite's synchronous=NORMAL).
  PERFORM set_config('synchronous_commit', 'off', true);
  -- Each statement costs even with nothing to do, and most commits of a following runner are of one document or none.
  IF cardinality(collections) = 0 THEN RETURN; END IF;
  IF p_known > 0 THEN
    WITH removed AS (
      DELETE FROM read_model_index_entries e
        USING unnest(collections[1:p_known], generations[1:p_known], ids[1:p_known]) AS w(c, g, i)
        WHERE e.collection = w.c AND e.generation = w.g AND e.id = w.i
        RETURNING e.collection, e.generation, e.index_name)
    INSERT INTO read_model_index_sizes AS z (collection, generation, index_name, size)
      SELECT collection, generation, index_name, -count(*) FROM removed GROUP BY collection, generation, index_name
      ON CONFLICT (collection, generation, index_name) DO UPDATE SET size = z.size + excluded.size;
  END IF;
  IF array_position(docs, NULL) IS NOT NULL THEN
    DELETE FROM read_model_documents d
      USING unnest(collections, generations, ids, docs) AS w(c, g, i, doc)
      WHERE w.doc IS NULL AND d.collection = w.c AND d.generation = w.g AND d.id = w.i;
  END IF;
  INSERT INTO read_model_documents (collection, generation, id, doc)
    SELECT w.c, w.g, w.i, w.doc FROM unnest(collections, generations, ids, docs) AS w(c, g, i, doc)
    WHERE w.doc IS NOT NULL
    ON CONFLICT (collection, generation, id) DO UPDATE SET doc = excluded.doc;
  IF cardinality(entry_collections) = 0 THEN RETURN; END IF;
  WITH added AS (
    INSERT INTO read_model_index_entries (collection, generation, index_name, score, id)
      SELECT * FROM unnest(entry_collections, entry_generations, read_model_texts(p_entry_indexes),
        read_model_texts(p_entry_scores)::double precision[], read_model_texts(p_entry_ids))
      RETURNING collection, generation, index_name)
  INSERT INTO read_model_index_sizes AS z (collection, generation, index_name, size)
    SELECT collection, generation, index_name, count(*) FROM added GROUP BY collection, generation, index_name
    ON CONFLICT (collection, generation, index_name) DO UPDATE SET size = z.size + excluded.size;
END $$;

-- A commit to the served read model: moves the checkpoint from p_expected (NULL: none) to p_next,
-- and with p_generation only while that generation is served, then applies the writes. False,
-- with nothing written, when the checkpoint is not the expected one.
CREATE FUNCTION read_model_commit(
  p_projection text, p_expected bigint, p_next bigint, p_generation integer,
  p_collections json, p_ids json, p_docs text, p_known integer,
  p_entry_collections json, p_entry_ids json, p_entry_indexes json, p_entry_scores json
) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF p_expected IS NULL THEN
    UPDATE read_model_checkpoints SET position = p_next
      WHERE projection = p_projection AND position IS NULL AND (p_generation IS NULL OR generation = p_generation);
    IF NOT FOUND THEN
      -- No row is generation 0. A concurrent first commit inserts too: the second waits for it
      -- and then inserts nothing.
      IF coalesce(p_generation, 0) <> 0 THEN RETURN false; END IF;
      INSERT INTO read_model_checkpoints (projection, position, generation) VALUES (p_projection, p_next, 0)
        ON CONFLICT (projection) DO NOTHING;
      IF NOT FOUND THEN RETURN false; END IF;
    END IF;
  ELSE
    UPDATE read_model_checkpoints SET position = p_next
      WHERE projection = p_projection AND position = p_expected AND (p_generation IS NULL OR generation = p_generation);
    IF NOT FOUND THEN RETURN false; END IF;
  END IF;
  PERFORM read_model_apply(NULL, p_collections, p_ids, p_docs, p_known, p_entry_collections, p_entry_ids, p_entry_indexes, p_entry_scores);
  RETURN true;
END $$;

-- Deletes the given generation of each collection.
CREATE FUNCTION read_model_drop(p_collections text[], p_generations integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM read_model_index_entries e USING unnest(p_collections, p_generations) AS r(c, g) WHERE e.collection = r.c AND e.generation = r.g;
  DELETE FROM read_model_index_sizes z USING unnest(p_collections, p_generations) AS r(c, g) WHERE z.collection = r.c AND z.generation = r.g;
  DELETE FROM read_model_documents d USING unnest(p_collections, p_generations) AS r(c, g) WHERE d.collection = r.c AND d.generation = r.g;
END $$;

-- Deletes the served generation of the collections and the checkpoint (the generation stays);
-- the checkpoint row is locked first, so a concurrent commit runs wholly before or after.
CREATE FUNCTION read_model_reset(p_projection text, p_collections text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE read_model_checkpoints SET position = NULL WHERE projection = p_projection;
  PERFORM read_model_drop(p_collections, read_model_served(p_collections));
END $$;

-- Starts generation max(last begun, served) + 1 of the projection (a rebuild still running is
-- superseded: its row no longer names its generation) and deletes every generation of the
-- collections but the served one: what earlier rebuilds left, killed halfway or discarded.
CREATE FUNCTION read_model_begin_rebuild(p_projection text, p_collections text[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  next_generation integer;
  collection_name text;
  served integer;
BEGIN
  INSERT INTO read_model_rebuilds (projection, generation, building) VALUES (p_projection, 0, false) ON CONFLICT (projection) DO NOTHING;
  SELECT greatest(r.generation, coalesce((SELECT k.generation FROM read_model_checkpoints k WHERE k.projection = p_projection), 0)) + 1
    INTO next_generation FROM read_model_rebuilds r WHERE r.projection = p_projection FOR UPDATE;
  UPDATE read_model_rebuilds SET generation = next_generation, building = true, position = NULL WHERE projection = p_projection;
  FOREACH collection_name IN ARRAY p_collections LOOP
    served := coalesce((SELECT s.generation FROM read_model_served_collections s WHERE s.collection = collection_name), 0);
    DELETE FROM read_model_index_entries WHERE collection = collection_name AND (generation < served OR generation > served);
    DELETE FROM read_model_documents WHERE collection = collection_name AND (generation < served OR generation > served);
    DELETE FROM read_model_index_sizes WHERE collection = collection_name AND (generation < served OR generation > served);
  END LOOP;
  RETURN next_generation;
END $$;

-- A rebuild's commit: 1 committed, 0 a stale expected checkpoint, -1 superseded by another rebuild.
CREATE FUNCTION read_model_rebuild_commit(
  p_projection text, p_generation integer, p_expected bigint, p_next bigint,
  p_collections json, p_ids json, p_docs text, p_known integer,
  p_entry_collections json, p_entry_ids json, p_entry_indexes json, p_entry_scores json
) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  UPDATE read_model_rebuilds SET position = p_next
    WHERE projection = p_projection AND generation = p_generation AND building AND position IS NOT DISTINCT FROM p_expected;
  IF NOT FOUND THEN
    PERFORM 1 FROM read_model_rebuilds WHERE projection = p_projection AND generation = p_generation AND building;
    RETURN CASE WHEN FOUND THEN 0 ELSE -1 END;
  END IF;
  PERFORM read_model_apply(p_generation, p_collections, p_ids, p_docs, p_known, p_entry_collections, p_entry_ids, p_entry_indexes, p_entry_scores);
  RETURN 1;
END $$;

-- Serves the rebuild: repoints the collections and moves the checkpoint and generation, in one
-- transaction. status 1 published (replaced: the generations it replaced, for the caller to
-- drop once this has committed), 0 the served checkpoint is ahead (nothing changed), -1 superseded.
CREATE FUNCTION read_model_publish(p_projection text, p_generation integer, p_collections text[], OUT status integer, OUT replaced integer[])
LANGUAGE plpgsql AS $$
DECLARE
  built bigint;
  served_position bigint;
BEGIN
  SELECT position INTO built FROM read_model_rebuilds WHERE projection = p_projection AND generation = p_generation AND building FOR UPDATE;
  IF NOT FOUND THEN status := -1; RETURN; END IF;
  INSERT INTO read_model_checkpoints (projection, position, generation) VALUES (p_projection, NULL, 0) ON CONFLICT (projection) DO NOTHING;
  -- Locked: a commit of the served read model in flight finishes first, and is seen here.
  SELECT position INTO served_position FROM read_model_checkpoints WHERE projection = p_projection FOR UPDATE;
  IF served_position IS NOT NULL AND (built IS NULL OR served_position > built) THEN status := 0; RETURN; END IF;
  replaced := read_model_served(p_collections);
  INSERT INTO read_model_served_collections (collection, generation) SELECT unnest(p_collections), p_generation
    ON CONFLICT (collection) DO UPDATE SET generation = excluded.generation;
  UPDATE read_model_checkpoints SET position = built, generation = p_generation WHERE projection = p_projection;
  UPDATE read_model_rebuilds SET building = false, position = NULL WHERE projection = p_projection;
  status := 1;
END $$;

-- Ends a rebuild still current and deletes what it wrote; the served read model stays.
CREATE FUNCTION read_model_discard_rebuild(p_projection text, p_generation integer, p_collections text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE read_model_rebuilds SET building = false, position = NULL WHERE projection = p_projection AND generation = p_generation AND building;
  IF FOUND THEN
    PERFORM read_model_drop(p_collections, array_fill(p_generation, ARRAY[cardinality(p_collections)]));
  END IF;
END $$;
`,
  },
];
