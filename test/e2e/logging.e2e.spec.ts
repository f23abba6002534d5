import request from 'supertest';
import { Logger } from '@nestjs/common';
import { LOG_LEVELS } from '../../src/platform/config/gateway-config';
import { startTestApp } from '../support/e2e-app';

const ID_NUMBERS = ['11010519491231002X', '640104198001011234', '110105491231002'];
const NAMES = ['张三', '买买提·艾力', '欧阳娜娜'];
const PHONES = ['13812345678', '0951-6997018'];

const body = {
  name: NAMES[0],
  scopes: ['identity'],
  worker: { psn_name: NAMES[1], idNumber: ID_NUMBERS[0], mobile: PHONES[0] },
  contacts: [{ name: NAMES[2], tel: PHONES[1] }],
  note: `证件号 ${ID_NUMBERS[1]}，旧证 ${ID_NUMBERS[2]}，联系电话 ${PHONES[0]}`,
};

describe.each(LOG_LEVELS.filter((l) => l !== 'silent'))('logs at level %s', (level) => {
  it('keep no trace of ID numbers, names or phone numbers from a request', async () => {
    const t = await startTestApp({ logging: { level, requestBodies: true } });
    try {
      const admin = await t.token(['admin']);
      // Refused (unknown fields): the body is still parsed, logged at debug, and answered.
      await request(t.app.getHttpServer())
        .post('/api/v1/admin/api-keys')
        .set('authorization', `Bearer ${admin}`)
        .send(body)
        .expect(400);
      // Accepted: the key's name is a person's name here.
      await request(t.app.getHttpServer())
        .post('/api/v1/admin/api-keys')
        .set('authorization', `Bearer ${admin}`)
        .set('x-request-id', 'req-known-values-1')
        .send({ name: NAMES[0], scopes: ['identity'] })
        .expect(201);
      await request(t.app.getHttpServer())
        .get(`/api/v1/reference/institutions?name=${encodeURIComponent(NAMES[2])}&region=6401`)
        .set('authorization', `Bearer ${admin}`)
        .expect(200);
      // Code that carelessly writes personal data into a message, outside any request.
      new Logger('Careless').error(`worker ${ID_NUMBERS[0]} phone ${PHONES[0]} 姓名：${NAMES[1]}`);
      await new Promise((r) => setTimeout(r, 50));

      const text = t.logs.text;
      for (const secret of [...ID_NUMBERS, ...NAMES, ...PHONES, encodeURIComponent(NAMES[2])]) {
        expect(text).not.toContain(secret);
      }
      // The test means something: at the verbose levels the body really was logged.
      if (level === 'debug' || level === 'trace') {
        expect(text).toContain('request body');
        expect(text).toContain('[REDACTED]');
      }
      if (level !== 'fatal') {
        expect(text).toContain('Careless');
      }
    } finally {
      await t.close();
    }
  });
});
