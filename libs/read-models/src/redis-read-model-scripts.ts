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
 * The commit and reset scripts name keys they only learn while running (a document's old
 * memberships), so they take the namespace as an argument: they suit one Redis, not a cluster.
 */

/**
 * ARGV: ns, projection, expected checkpoint ('' for none), next checkpoint, then the writes
 * flattened: `put, collection, id, json, n, index1, score1, … indexN, scoreN` or
 * `delete, collection, id`. Returns 1 when committed, 0 when the checkpoint was not expected.
 */
export const COMMIT_SCRIPT = `
local ns, projection, expected, nextPosition = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local checkpoints = ns .. 'checkpoints'
if (redis.call('HGET', checkpoints, projection) or '') ~= expected then return 0 end
local i = 5
while i <= #ARGV do
  local op, collection, id = ARGV[i], ARGV[i + 1], ARGV[i + 2]
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
redis.call('HSET', checkpoints, projection, nextPosition)
return 1
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
export const RESET_SCRIPT = `
local ns = ARGV[1]
for i = 3, #ARGV do
  local collection = ARGV[i]
  local indexes = ns .. 'indexes:' .. collection
  for _, index in ipairs(redis.call('SMEMBERS', indexes)) do
    redis.call('UNLINK', ns .. 'idx:' .. collection .. ':' .. index)
  end
  redis.call('UNLINK', indexes, ns .. 'doc:' .. collection, ns .. 'mem:' .. collection)
end
redis.call('HDEL', ns .. 'checkpoints', ARGV[2])
return 1
`;
