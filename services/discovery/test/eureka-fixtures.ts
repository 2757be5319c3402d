/** Register bodies as Eureka clients send them, for the discovery integration tests. */

export function instanceBody(app: string, id: string, overrides: Record<string, unknown> = {}) {
  return {
    instance: {
      instanceId: id,
      hostName: `${id}.example.internal`,
      app,
      ipAddr: '10.0.1.7',
      status: 'UP',
      port: { $: 8080, '@enabled': 'true' },
      securePort: { $: 443, '@enabled': 'false' },
      vipAddress: app.toLowerCase(),
      secureVipAddress: `${app.toLowerCase()}-secure`,
      homePageUrl: 'http://10.0.1.7:8080/',
      statusPageUrl: 'http://10.0.1.7:8080/info',
      healthCheckUrl: 'http://10.0.1.7:8080/health',
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      leaseInfo: { renewalIntervalInSecs: 30, durationInSecs: 90 },
      metadata: { zone: 'a' },
      lastDirtyTimestamp: '1700000000000',
      ...overrides,
    },
  };
}

/** A mutable clock for leases and self-preservation. */
export function manualClock(start = 1_800_000_000_000) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}
