// The request both ali-oss benches sign (V4 GET with an STS token, 15 minutes, cn-hangzhou),
// and ali-oss loaded from the folder given on the command line (it stays outside the
// repository): one definition, so vs_ali_oss.mjs and floor_vs_ali_oss.mjs time the same thing.
import { createRequire } from 'node:module';
import path from 'node:path';

export const creds = {
  accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2xxx',
  accessKeySecret: 'ExampleAccessKeySecret0123456789abcd',
  stsToken: 'CAIS1AJ1q6Ft5B2yfSjIr5fRG.example-security-token',
};
export const region = 'cn-hangzhou';
export const bucket = 'examplebucket';
export const key = 'folder/exampleobject.txt';
export const expires = 900;
/** The options of the module's `prepare()` for the request (all but the key). */
export const shared = {
  region, bucket, accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret,
  securityToken: creds.stsToken, expires,
};

/**
 * ali-oss from `aliDir` (its package folder, argv[2] of the bench): its version and a V4 client
 * for the request. Exits with a usage line naming `script` when no folder is given.
 */
export function aliOssClient(aliDir, script) {
  if (!aliDir) {
    console.error(`usage: node ${script} PATH/TO/node_modules/ali-oss`);
    process.exit(2);
  }
  const require = createRequire(path.resolve(aliDir, 'package.json'));
  const OSS = require(path.resolve(aliDir));
  const version = require(path.resolve(aliDir, 'package.json')).version;
  const client = new OSS({ region: `oss-${region}`, bucket, ...creds, secure: true, authorizationV4: true });
  return { client, version };
}
