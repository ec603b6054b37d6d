/**
 * Lua scripts of the Redis adapter. A script runs atomically, which gives the commit its
 * compare-and-set without a WATCH (WATCH belongs to a connection, and the client is shared).
 *
 * Keys under the namespace `ns` (the client's keyPrefix followed by `rm:`):
 *   checkpoints            hash  projection -> position
 *   doc:<c>                hash  id -> document JSON
 *   mem:<c>                hash  id -> JSON array of the indexes the document is in
 *   idx:<c>:<index>        zset  id scored for the list order
 *   indexes:<c>            set   every index name the collection used, so reset finds them
 *   generation             hash  projection -> generation served (absent: 0)
 *   building               hash  projection -> generation a rebuild is building
 *   building_at            hash  projection -> that rebuild's checkpoint
 * A rebuild of generation g writes its collections under the names `<c>#g` (no collection name
 * holds a `#`); publishing it deletes the served keys and renames the rebuilt ones in their
 * place, in one script, so readers go on reading the same keys.
 * The scripts name keys they only learn while running (a document's old memberships), so they
 * take the namespace as an argument: they suit one Redis, not a cluster.
 */

const FUNCTIONS = `
local function clear(ns, collection)
  local indexes = ns .. 'indexes:' .. collection
  for _, index in ipairs(redis.call('SMEMBERS', indexes)) do
    redis.call('UNLINK', ns .. 'idx:' .. collection .. ':' .. index)
  end
  redis.call('UNLINK', indexes, ns .. 'doc:' .. collection, ns .. 'mem:' .. collection)
end

-- Applies the writes flattened in ARGV from i on, each to its collection followed by suffix.
local function apply(ns, suffix, i)
  while i <= #ARGV do
    local op, collection, id = ARGV[i], ARGV[i + 1] .. suffix, ARGV[i + 2]
    local docs, memberships = ns .. 'doc:' .. collection, ns .. 'mem:' .. collection
    local previous = redis.call('HGET', memberships, id)
    if previous then
      for _, index in ipairs(cjson.decode(previous)) do
        redis.call('ZREM', ns .. 'idx:' .. collection .. ':' .. index, id)
      end
    end
    if op == 'put' then
      redis.call('HSET', docs, id, ARGV[i + 3])
      local count = tonumber(ARGV[i + 4])
      local names = {}
      for j = 1, count do
        local index, score = ARGV[i + 3 + 2 * j], ARGV[i + 4 + 2 * j]
        redis.call('ZADD', ns .. 'idx:' .. collection .. ':' .. index, score, id)
        redis.call('SADD', ns .. 'indexes:' .. collection, index)
        names[j] = index
      end
      -- cjson writes an empty table as {}, so a document in no index keeps no entry at all.
      if count > 0 then
        redis.call('HSET', memberships, id, cjson.encode(names))
      else
        redis.call('HDEL', memberships, id)
      end
      i = i + 5 + 2 * count
    else
      redis.call('HDEL', docs, id)
      redis.call('HDEL', memberships, id)
      i = i + 3
    end
  end
end

-- Positions are decimal integers without leading zeros, beyond what a Lua number holds exactly.
local function after(a, b)
  return #a > #b or (#a == #b and a > b)
end
`;

/**
 * ARGV: ns, projection, expected checkpoint ('' for none), next checkpoint, generation ('' for
 * no check), then the writes flattened: `put, collection, id, json, n, index1, score1, … indexN,
 * scoreN` or `delete, collection, id`. Returns 1 when committed, 0 when refused.
 */
export const COMMIT_SCRIPT = `${FUNCTIONS}
local ns, projection, expected, nextPosition, generation = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local checkpoints = ns .. 'checkpoints'
if (redis.call('HGET', checkpoints, projection) or '') ~= expected then return 0 end
if generation ~= '' and (redis.call('HGET', ns .. 'generation', projection) or '0') ~= generation then return 0 end
apply(ns, '', 6)
redis.call('HSET', checkpoints, projection, nextPosition)
return 1
`;

/**
 * A part of a rebuild's commit. ARGV: ns, projection, generation, expected ('' for none), next
 * ('' for a part that is not the last), then the writes as for COMMIT_SCRIPT. A rebuild's
 * commit is sent in parts, so that no one script holds Redis for long: each checks the expected
 * checkpoint, which only the last one moves. Nothing reads the rebuild's keys before it is
 * published, and a rebuild stopped between two parts is never published. Returns 1 when
 * applied, 0 when refused, -1 when another rebuild of the projection has begun since.
 */
export const REBUILD_COMMIT_SCRIPT = `${FUNCTIONS}
local ns, projection, generation, expected, nextPosition = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('HGET', ns .. 'building', projection) ~= generation then return -1 end
if (redis.call('HGET', ns .. 'building_at', projection) or '') ~= expected then return 0 end
apply(ns, '#' .. generation, 6)
if nextPosition ~= '' then redis.call('HSET', ns .. 'building_at', projection, nextPosition) end
return 1
`;

/**
 * ARGV: ns, projection, collections… Deletes what the rebuild under way (or one killed) wrote,
 * and answers the generation the new rebuild builds.
 */
export const BEGIN_REBUILD_SCRIPT = `${FUNCTIONS}
local ns, projection = ARGV[1], ARGV[2]
local served = tonumber(redis.call('HGET', ns .. 'generation', projection) or '0')
local building = redis.call('HGET', ns .. 'building', projection)
if building then
  for i = 3, #ARGV do clear(ns, ARGV[i] .. '#' .. building) end
end
local generation = math.max(served, tonumber(building or '0')) + 1
redis.call('HSET', ns .. 'building', projection, generation)
redis.call('HDEL', ns .. 'building_at', projection)
return generation
`;

/**
 * ARGV: ns, projection, generation, collections… Returns 1 when published, 0 when the served
 * checkpoint is ahead of the rebuilt one, -1 when another rebuild has begun since.
 */
export const PUBLISH_SCRIPT = `${FUNCTIONS}
local ns, projection, generation = ARGV[1], ARGV[2], ARGV[3]
if redis.call('HGET', ns .. 'building', projection) ~= generation then return -1 end
local position = redis.call('HGET', ns .. 'building_at', projection)
local served = redis.call('HGET', ns .. 'checkpoints', projection)
if served and ((not position) or after(served, position)) then return 0 end
for i = 4, #ARGV do
  local collection = ARGV[i]
  local rebuilt = collection .. '#' .. generation
  clear(ns, collection)
  -- An index whose last member left is gone, though the set of index names still holds it.
  for _, index in ipairs(redis.call('SMEMBERS', ns .. 'indexes:' .. rebuilt)) do
    local key = ns .. 'idx:' .. rebuilt .. ':' .. index
    if redis.call('EXISTS', key) == 1 then redis.call('RENAME', key, ns .. 'idx:' .. collection .. ':' .. index) end
  end
  for _, kind in ipairs({'indexes:', 'doc:', 'mem:'}) do
    if redis.call('EXISTS', ns .. kind .. rebuilt) == 1 then redis.call('RENAME', ns .. kind .. rebuilt, ns .. kind .. collection) end
  end
end
if position then
  redis.call('HSET', ns .. 'checkpoints', projection, position)
else
  redis.call('HDEL', ns .. 'checkpoints', projection)
end
redis.call('HSET', ns .. 'generation', projection, generation)
redis.call('HDEL', ns .. 'building', projection)
redis.call('HDEL', ns .. 'building_at', projection)
return 1
`;

/** ARGV: ns, projection, generation, collections… Deletes the rebuild's keys unless another rebuild has begun since. */
export const DISCARD_REBUILD_SCRIPT = `${FUNCTIONS}
local ns, projection, generation = ARGV[1], ARGV[2], ARGV[3]
if redis.call('HGET', ns .. 'building', projection) ~= generation then return 0 end
for i = 4, #ARGV do clear(ns, ARGV[i] .. '#' .. generation) end
redis.call('HDEL', ns .. 'building', projection)
redis.call('HDEL', ns .. 'building_at', projection)
return 1
`;

/** KEYS: two hashes. ARGV: a field. Returns the field of each, read together. */
export const TWO_FIELDS_SCRIPT = `
return {redis.call('HGET', KEYS[1], ARGV[1]), redis.call('HGET', KEYS[2], ARGV[1])}
`;

/** KEYS: the index zset, the documents hash. ARGV: offset, limit, 'asc' | 'desc'. Returns {total, docs}. */
export const LIST_SCRIPT = `
local offset, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local total = redis.call('ZCARD', KEYS[1])
if limit < 1 then return {total, {}} end
local ids
if ARGV[3] == 'desc' then
  ids = redis.call('ZREVRANGE', KEYS[1], offset, offset + limit - 1)
else
  ids = redis.call('ZRANGE', KEYS[1], offset, offset + limit - 1)
end
if #ids == 0 then return {total, {}} end
return {total, redis.call('HMGET', KEYS[2], unpack(ids))}
`;

/** ARGV: ns, projection, collections… */
export const RESET_SCRIPT = `${FUNCTIONS}
local ns = ARGV[1]
for i = 3, #ARGV do clear(ns, ARGV[i]) end
redis.call('HDEL', ns .. 'checkpoints', ARGV[2])
return 1
`;
