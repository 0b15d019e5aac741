// autocannon `setupRequest` for bench/server.bench.ts (a file, because autocannon's worker thread
// cannot be handed a function): each checkout comes from a reader of its own — a fresh
// Idempotency-Key and a client address (X-Forwarded-For, 10.x.y.z) that no earlier request used.
// From a random point: runs that follow one another against one endpoint (bench/endpoint-ab.ts
// runs twenty) do not come back as the same clients, whose holds would add up to the bound.
let n = Math.floor(Math.random() * 0x1000000);
const run = `${process.pid}-${Date.now()}`;

module.exports = (request) => {
  n++;
  return {
    ...request,
    headers: {
      ...request.headers,
      'idempotency-key': `bench-${run}-${n}`,
      'x-forwarded-for': `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`,
    },
  };
};
