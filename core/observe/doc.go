// Package observe holds the ports through which the application reports on itself: health checks
// now; analytics events and error reporting as they arrive.
package observe
