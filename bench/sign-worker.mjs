// Signs a slice of requests off the main thread (plain JS: worker threads don't load tsx).
// Uses the built SDK's signRequest, so the requests are signed exactly as a client signs them.
import { createPrivateKey } from 'node:crypto'
import { parentPort, workerData } from 'node:worker_threads'
import { signRequest } from '../packages/sdk/dist/protocol/authorization.js'

const { mchid, serialNo, privateKeyPem, requests } = workerData
const privateKey = createPrivateKey(privateKeyPem)
const lines = requests.map((r) => {
  const { authorization } = signRequest({
    method: r.method,
    url: r.path,
    body: r.body ?? '',
    mchid,
    serialNo,
    privateKey,
  })
  const headers = { Authorization: authorization, Accept: 'application/json' }
  if (r.body !== undefined) headers['Content-Type'] = 'application/json'
  return JSON.stringify({ ...r, headers })
})
parentPort.postMessage(lines.join('\n'))
