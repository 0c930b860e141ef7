// Regenerates the post-policy conformance cases with ali-oss as the oracle.
// Not run by any test. Usage (the package stays outside the repository):
//   mkdir -p /tmp/w14p && cd /tmp/w14p && npm install ali-oss
//   NODE_PATH=/tmp/w14p/node_modules node conformance/post-policy/oracle.js conformance/post-policy
'use strict';
const fs = require('fs');
const path = require('path');
const OSS = require('ali-oss');
const { getSignatureV4 } = require('ali-oss/lib/common/signUtils');
const { version } = require('ali-oss/package.json');

const outDir = process.argv[2] || __dirname;

// Each case: who signs, when, and the caller's conditions (the V4 ones are appended in the
// order oss-sign-core appends them: signature version, credential, date, token).
const cases = [
  {
    id: 'doc-example-shape',
    description: 'the shape of the OSS documentation example: bucket, size range, key prefix, in content-type',
    ak: 'LTAI5tExampleAK', sk: 'ExampleSecretKey1234567890', region: 'cn-hangzhou',
    date: '2023-12-03T12:12:12Z', expiration: '2023-12-03T13:00:00Z',
    conditions: [
      { bucket: 'examplebucket' },
      ['content-length-range', 1, 1048576000],
      ['eq', '$success_action_status', '201'],
      ['starts-with', '$key', 'user/eric/'],
      ['in', '$content-type', ['image/jpg', 'image/png']],
      ['not-in', '$cache-control', ['no-cache']],
    ],
  },
  {
    id: 'minimal',
    description: 'no caller conditions, only the V4 ones',
    ak: 'ak', sk: 'sk', region: 'cn-hangzhou',
    date: '2024-02-29T23:59:59Z', expiration: '2024-03-01T00:59:59Z',
    conditions: [],
  },
  {
    id: 'sts-token-and-meta',
    description: 'STS token condition, exact key, x-oss-meta-* and a content type',
    ak: 'STS.NUgYrLnoC37mZZCNnAbez2dmR', sk: 'sts-secret/with+chars=', region: 'cn-shanghai',
    token: 'CAIS+token/with=special+chars',
    date: '2025-01-15T08:00:00Z', expiration: '2025-01-22T08:00:00Z',
    conditions: [
      { bucket: 'b-1' },
      ['eq', '$key', 'uploads/photo 1.jpg'],
      ['eq', '$x-oss-meta-owner', 'alice'],
      ['starts-with', '$Content-Type', 'image/'],
    ],
  },
  {
    id: 'escapes-and-unicode',
    description: 'quotes, backslashes, control characters and non-ASCII in values, escaped as JSON.stringify does',
    ak: 'ak', sk: 'sk', region: 'ap-southeast-1',
    date: '2023-06-30T00:00:00Z', expiration: '2023-06-30T00:15:00Z',
    conditions: [
      ['eq', '$key', 'dir/"quoted"\\back\tslash\n\u0001/文件 é.txt'],
      ['starts-with', '$x-oss-meta-note', '😀'],
    ],
  },
];

for (const c of cases) {
  const client = new OSS({ accessKeyId: c.ak, accessKeySecret: c.sk, region: 'oss-' + c.region, bucket: 'unused' });
  const date = new Date(c.date);
  const xOssDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const credential = `${c.ak}/${xOssDate.slice(0, 8)}/${c.region}/oss/aliyun_v4_request`;
  const conditions = c.conditions.slice();
  conditions.push({ 'x-oss-signature-version': 'OSS4-HMAC-SHA256' });
  conditions.push({ 'x-oss-credential': credential });
  conditions.push({ 'x-oss-date': xOssDate });
  if (c.token) conditions.push({ 'x-oss-security-token': c.token });
  const policy = { expiration: new Date(c.expiration).toISOString(), conditions };
  const json = JSON.stringify(policy);
  const out = {
    id: c.id,
    description: c.description,
    source: `ali-oss ${version} signPostObjectPolicyV4`,
    access_key_id: c.ak,
    access_key_secret: c.sk,
    region: c.region,
    security_token: c.token || null,
    x_oss_date: xOssDate,
    expiration: c.expiration,
    conditions: c.conditions,
    expected: {
      policy_json: json,
      policy_base64: Buffer.from(json, 'utf8').toString('base64'),
      credential,
      signature: client.signPostObjectPolicyV4(policy, date),
    },
  };
  fs.writeFileSync(path.join(outDir, `${c.id}.json`), JSON.stringify(out, null, 2) + '\n');
}

// A document signed verbatim (spaces and newlines kept): ali-oss re-serialises a policy
// string, so the signature comes from its V4 signing function over the exact base64.
{
  const doc = '{\n  "expiration": "2023-12-03T13:00:00.000Z",\n  "conditions": [ {"bucket": "examplebucket"}, ["starts-with", "$key", "user/"] ]\n}\n';
  const b64 = Buffer.from(doc, 'utf8').toString('base64');
  const out = {
    id: 'verbatim-document',
    description: 'a policy document signed byte for byte as given (whitespace kept)',
    source: `ali-oss ${version} signUtils.getSignatureV4`,
    access_key_id: 'ak',
    access_key_secret: 'sk',
    region: 'cn-hangzhou',
    x_oss_date: '20231203T121212Z',
    verbatim: doc,
    expected: { policy_base64: b64, signature: getSignatureV4('sk', '20231203', 'cn-hangzhou', b64) },
  };
  fs.writeFileSync(path.join(outDir, 'verbatim-document.json'), JSON.stringify(out, null, 2) + '\n');
}
