/** A minimal Eureka registration body, for tests that register instances by hand. */
export function eurekaInstance(app: string, instanceId: string, port: number, host = '127.0.0.1') {
  return {
    instance: {
      instanceId,
      hostName: host,
      app,
      ipAddr: host,
      status: 'UP',
      port: { $: port, '@enabled': 'true' },
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      leaseInfo: { renewalIntervalInSecs: 30, durationInSecs: 90 },
    },
  };
}
