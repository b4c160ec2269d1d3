import { startTestSystem } from '@switchboard/testkit';
it('times', async () => {
  for (const services of ['gateway,user,team,contact,template,campaign,inbox,messaging', 'all']) {
    let t = Date.now();
    const system = await startTestSystem({ env: { SERVICES: services } });
    console.log(services, 'start', Date.now() - t);
    t = Date.now();
    await system.close();
    console.log('close', Date.now() - t);
  }
}, 60000);
