// node-influx (npm "influx" 5.9.3), InfluxDB 1.x's Node.js client, run
// against the server on the port given as the first argument: prints one
// JSON list of [step, answer or "ERR <message>"] pairs.
const Influx = require('influx');
const port = parseInt(process.argv[2]);
const db = process.argv[3];
const influx = new Influx.InfluxDB({host: '127.0.0.1', port, database: db,
  schema: [{measurement: 'cpu', fields: {usage: Influx.FieldType.FLOAT, count: Influx.FieldType.INTEGER, ok: Influx.FieldType.BOOLEAN, note: Influx.FieldType.STRING}, tags: ['host', 'region']}]});
async function step(name, f) { try { const r = await f(); return [name, r]; } catch (e) { return [name, 'ERR ' + e.message]; } }
(async () => {
  const out = [];
  out.push(await step('ping', async () => (await influx.ping(2000)).map(h => [h.online, h.version])));
  out.push(await step('create', () => influx.createDatabase(db)));
  // Other tests share the servers: only this client's own names are compared.
  out.push(await step('names', async () => (await influx.getDatabaseNames()).includes(db)));
  const pts = [];
  for (let i = 0; i < 9; i++) pts.push({measurement: 'cpu', tags: {host: 'h' + (i % 3), region: i % 2 ? 'eu' : 'us'}, fields: {usage: 0.5 + i / 4, count: i, ok: i % 2 == 0, note: 'n ' + i}, timestamp: new Date(1600000000000 + i * 10000)});
  out.push(await step('write', () => influx.writePoints(pts)));
  out.push(await step('write s', () => influx.writePoints([{measurement: 'mem', fields: {used: 3}, timestamp: 1600000000}], {precision: 's'})));
  out.push(await step('query', () => influx.query('SELECT * FROM cpu')));
  out.push(await step('query2', () => influx.query('SELECT mean(usage) FROM cpu GROUP BY host')));
  out.push(await step('queryraw', () => influx.queryRaw('SELECT max(count) FROM cpu WHERE time > now() - 100000d GROUP BY time(30s) fill(none)')));
  out.push(await step('multi', () => influx.query(['SELECT count(usage) FROM cpu', 'SELECT * FROM mem'])));
  out.push(await step('measurements', () => influx.getMeasurements()));
  out.push(await step('series', () => influx.getSeries()));
  out.push(await step('rps', () => influx.showRetentionPolicies()));
  out.push(await step('createrp', () => influx.createRetentionPolicy('week', {duration: '7d', replication: 1})));
  out.push(await step('rps2', () => influx.showRetentionPolicies()));
  out.push(await step('cq', () => influx.createContinuousQuery('cq1', 'SELECT mean(usage) INTO cpu_1m FROM cpu GROUP BY time(1m)')));
  out.push(await step('cqs', async () => (await influx.query('SHOW CONTINUOUS QUERIES')).groups().filter(g => g.name === db)));
  out.push(await step('users', async () => Array.isArray(await influx.getUsers())));
  out.push(await step('bad', () => influx.query('SELECT FROM')));
  out.push(await step('conflict', () => influx.writeMeasurement('mem', [{fields: {used: 'str'}, timestamp: new Date(1600000005000)}])));
  out.push(await step('dropseries', () => influx.dropSeries({measurement: m => m.name('cpu'), where: e => e.tag('host').equals.value('h1')})));
  out.push(await step('after', () => influx.query('SELECT count(*) FROM cpu')));
  out.push(await step('dropm', () => influx.dropMeasurement('mem')));
  out.push(await step('dropdb', () => influx.dropDatabase(db)));
  console.log(JSON.stringify(out));
})();
