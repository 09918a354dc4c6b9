package stripe_test

const testKey = "sk_test_fake_0123456789"
