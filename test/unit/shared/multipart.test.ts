import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formData } from '../../../shared/multipart.ts';

test('formData: text fields and files, names that cannot break the headers', () => {
  const { body, contentType } = formData(
    [
      { name: 'payload_json', value: '{"username":"drone"}', contentType: 'application/json' },
      { name: 'chat_id', value: '-1001234567890' },
      { name: 'files[0]', filename: 'report "1"\r\n.txt', data: Buffer.from([0, 1, 2]) },
    ],
    'BOUNDARY',
  );
  assert.equal(contentType, 'multipart/form-data; boundary=BOUNDARY');
  assert.deepEqual(
    body,
    Buffer.concat([
      Buffer.from('--BOUNDARY\r\ncontent-disposition: form-data; name="payload_json"\r\ncontent-type: application/json\r\n\r\n{"username":"drone"}\r\n'),
      Buffer.from('--BOUNDARY\r\ncontent-disposition: form-data; name="chat_id"\r\n\r\n-1001234567890\r\n'),
      Buffer.from('--BOUNDARY\r\ncontent-disposition: form-data; name="files[0]"; filename="report _1___.txt"\r\ncontent-type: application/octet-stream\r\n\r\n'),
      Buffer.from([0, 1, 2]),
      Buffer.from('\r\n--BOUNDARY--\r\n'),
    ]),
  );
});
