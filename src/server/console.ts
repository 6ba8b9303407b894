import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'

/**
 * The sandbox console at /console: the page and its two assets, built into dist/console by
 * `npm run build` (scripts/build-console.mjs) and read once. The page carries no data and no
 * secret: it signs in with the admin token and reads everything through the admin API, which
 * answers 401 without it.
 */
const DIR = new URL('../../dist/console/', import.meta.url)

const ASSETS: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
}

export function installConsole(app: FastifyInstance): void {
  const read = (name: string) => {
    try {
      return readFileSync(new URL(name, DIR))
    } catch {
      return undefined
    }
  }
  const page = read('index.html')
  const assets = new Map(Object.keys(ASSETS).map((name) => [name, read(`assets/${name}`)]))
  const sendPage = (_request: unknown, reply: import('fastify').FastifyReply) => {
    if (!page) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build` in the wxcoupon package.\n')
    }
    return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(page)
  }
  app.get('/console', sendPage)
  app.get('/console/', sendPage)
  app.get<{ Params: { name: string } }>('/console/assets/:name', (request, reply) => {
    const type = ASSETS[request.params.name]
    const body = assets.get(request.params.name)
    if (!type || !body) return reply.code(404).type('text/plain; charset=utf-8').send('not found\n')
    return reply.type(type).header('Cache-Control', 'no-cache').send(body)
  })
}
