// Sends a shopper's journey to a live Pulse server with Segment's own Node SDK, exactly as an
// application would after changing only `host`. Driven by SegmentNodeSdkTests, which then checks
// through the query API that Pulse counted every event. Exits non-zero if the SDK reports a failure.
import { Analytics } from '@segment/analytics-node'

const host = process.env.PULSE_HOST
const writeKey = process.env.PULSE_WRITE_KEY
const run = process.env.PULSE_RUN
if (!host || !writeKey || !run) {
  console.error('set PULSE_HOST, PULSE_WRITE_KEY and PULSE_RUN')
  process.exit(2)
}

const analytics = new Analytics({ writeKey, host, flushAt: 4, flushInterval: 300, maxRetries: 2 })
let failures = 0
analytics.on('error', (error) => {
  failures++
  console.error('segment delivery failed:', error?.reason ?? error)
})

// The run id rides in context.location.country, a Pulse dimension, so the test can count this run's events alone.
const context = { location: { country: run } }
const userId = `sdk-user-${run}`
const order = `order-${run}`
const line = { product_id: 'p-1', name: 'Mug', price: 10, quantity: 2 }

analytics.identify({ userId, traits: { plan: 'pro', email: 'shopper@example.com' }, context })
analytics.page({ userId, name: 'Home', properties: { path: '/', title: 'Shop' }, context })
analytics.track({ userId, event: 'Product Viewed', properties: { product_id: 'p-1', price: 10 }, context })
analytics.track({ userId, event: 'Product Added', properties: line, context })
analytics.track({ userId, event: 'Checkout Started', properties: { order_id: order, value: 20, products: [line] }, context })
analytics.track({ userId, event: 'Order Completed', properties: { order_id: order, revenue: 20, currency: 'usd', products: [line] }, context })
analytics.track({ anonymousId: `sdk-anon-${run}`, event: 'Newsletter Signed Up', properties: { source: 'footer' }, context })

await analytics.closeAndFlush({ timeout: 15000 })
console.log(JSON.stringify({ sent: 7, failures }))
process.exit(failures === 0 ? 0 : 1)
