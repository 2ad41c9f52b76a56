-- The Lua benchmark's workload: four parts that exercise what Lua programs spend their time on.
-- SCALE is 1 for the full run, 20 for the quick one; every part's work is divided by it. The
-- script returns one line summing up every part's result, which the driver hashes. Everything
-- it folds into that line is independent of table iteration order.

local scale = SCALE or 1

-- A deterministic generator (a 32-bit LCG), so that the script needs no math.random.
local seed = 12345
local function random(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end

-- 1. Objects: particles with metatable-based classes and inheritance, moved in a box, colliding
--    with walls; method calls and field access on small tables.
local Vector = {}
Vector.__index = Vector
function Vector.new(x, y) return setmetatable({x = x, y = y}, Vector) end
function Vector.__add(a, b) return Vector.new(a.x + b.x, a.y + b.y) end
function Vector:scaled(k) return Vector.new(self.x * k, self.y * k) end
function Vector:dot(other) return self.x * other.x + self.y * other.y end

local Particle = {}
Particle.__index = Particle
function Particle.new(position, velocity)
  return setmetatable({position = position, velocity = velocity, bounces = 0}, Particle)
end
function Particle:step(dt, size)
  self.position = self.position + self.velocity:scaled(dt)
  local p, v = self.position, self.velocity
  if p.x < 0 or p.x > size then v.x = -v.x; self.bounces = self.bounces + 1 end
  if p.y < 0 or p.y > size then v.y = -v.y; self.bounces = self.bounces + 1 end
end
function Particle:energy() return 0.5 * self.velocity:dot(self.velocity) end

local Heavy = setmetatable({}, {__index = Particle})
Heavy.__index = Heavy
function Heavy.new(position, velocity)
  local particle = Particle.new(position, velocity)
  particle.mass = 4
  return setmetatable(particle, Heavy)
end
function Heavy:energy() return self.mass * Particle.energy(self) end

local function simulate()
  local particles = {}
  for i = 1, 400 do
    local position = Vector.new(random(1000), random(1000))
    local velocity = Vector.new(random(21) - 11, random(21) - 11)
    particles[i] = i % 5 == 0 and Heavy.new(position, velocity) or Particle.new(position, velocity)
  end
  local bounces, energy = 0, 0
  for _ = 1, 1500 // scale do
    for i = 1, #particles do particles[i]:step(0.25, 1000) end
  end
  for i = 1, #particles do
    bounces = bounces + particles[i].bounces
    energy = energy + particles[i]:energy()
  end
  return string.format("%d %.3f", bounces, energy)
end

-- 2. Strings: generate text, count words with string.gmatch into a table, rewrite it with
--    gsub and string.format, join with table.concat, and sort the vocabulary by count.
local syllables = {"ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "ve", "zu", "an", "or"}
local function word()
  local parts = {}
  for i = 1, random(3) do parts[i] = syllables[random(#syllables)] end
  return table.concat(parts)
end

local function text_work()
  local vocabulary = {}
  for i = 1, 800 do vocabulary[i] = word() end
  local total, longest, rewritten = 0, 0, 0
  local counts = {}
  for _ = 1, 120 // scale do
    local lines = {}
    for line = 1, 200 do
      local words = {}
      for i = 1, 12 do words[i] = vocabulary[random(#vocabulary)] end
      lines[line] = string.format("%04d: %s.", line, table.concat(words, " "))
    end
    local text = table.concat(lines, "\n")
    for w in text:gmatch("%a+") do
      counts[w] = (counts[w] or 0) + 1
      total = total + 1
    end
    local upper, n = text:gsub("(%a)(%a*)", function(first, rest) return first:upper() .. rest end)
    rewritten = rewritten + n
    if #upper > longest then longest = #upper end
  end
  local keys = {}
  for key in pairs(counts) do keys[#keys + 1] = key end
  table.sort(keys, function(a, b)
    if counts[a] ~= counts[b] then return counts[a] > counts[b] end
    return a < b
  end)
  return string.format("%d %d %d %s %s %d", total, rewritten, longest, keys[1], keys[#keys],
                       #keys)
end

-- 3. Closures: a small functional library (map, filter, fold, compose, memoize) applied to
--    integer sequences; every call goes through an upvalue-capturing closure.
local function map(f, list)
  local out = {}
  for i = 1, #list do out[i] = f(list[i]) end
  return out
end
local function filter(p, list)
  local out = {}
  for i = 1, #list do if p(list[i]) then out[#out + 1] = list[i] end end
  return out
end
local function fold(f, accumulator, list)
  for i = 1, #list do accumulator = f(accumulator, list[i]) end
  return accumulator
end
local function compose(f, g) return function(x) return f(g(x)) end end
local function memoize(f)
  local cache = {}
  return function(n)
    local value = cache[n]
    if value == nil then value = f(n); cache[n] = value end
    return value
  end
end

local function functional()
  local collatz = memoize(function(n)
    local steps = 0
    while n ~= 1 do
      if n % 2 == 0 then n = n // 2 else n = 3 * n + 1 end
      steps = steps + 1
    end
    return steps
  end)
  local result = 0
  for round = 1, 60 // scale do
    local numbers = {}
    for i = 1, 5000 do numbers[i] = i * round end
    local offset = round % 7
    local shifted = map(compose(function(x) return x + offset end, function(x) return x * 3 end),
                        numbers)
    local odd = filter(function(x) return x % 2 == 1 end, shifted)
    local steps = map(collatz, odd)
    result = result + fold(function(a, b) return (a * 31 + b) % 1000000007 end, round, steps)
  end
  return tostring(result)
end

-- 4. Trees: build binary search trees of records, walk them recursively, serialise them to a
--    string and parse that back.
local function insert(node, key, value)
  if node == nil then return {key = key, value = value} end
  if key < node.key then node.left = insert(node.left, key, value)
  elseif key > node.key then node.right = insert(node.right, key, value)
  else node.value = node.value + value end
  return node
end
local function serialise(node, out)
  if node == nil then out[#out + 1] = "."; return end
  out[#out + 1] = string.format("(%d:%d", node.key, node.value)
  serialise(node.left, out)
  serialise(node.right, out)
  out[#out + 1] = ")"
end
local function parse(text, position)
  if text:sub(position, position) == "." then return nil, position + 1 end
  local key, value, after = text:match("^%((%-?%d+):(%-?%d+)()", position)
  local node = {key = tonumber(key), value = tonumber(value)}
  node.left, after = parse(text, after)
  node.right, after = parse(text, after)
  return node, after + 1
end
local function depth_sum(node, depth)
  if node == nil then return 0 end
  return depth * node.value + depth_sum(node.left, depth + 1) + depth_sum(node.right, depth + 1)
end

local function trees()
  local result, length = 0, 0
  for _ = 1, 40 // scale do
    local root
    for _ = 1, 4000 do root = insert(root, random(100000), random(100)) end
    local out = {}
    serialise(root, out)
    local text = table.concat(out)
    length = length + #text
    local copy = parse(text, 1)
    result = (result + depth_sum(copy, 1)) % 1000000007
  end
  return string.format("%d %d", result, length)
end

return table.concat({simulate(), text_work(), functional(), trees()}, " | ")
