package main

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"time"

	"github.com/pangolin-forensics/pangolin/internal/testphoto"
)

// phone is the suspect's phone, a Samsung Galaxy A51.
var phone = testphoto.Camera{Make: "samsung", Model: "SM-A515F", Software: "A515FXXU5HVA1"}

// The zones of the places the photos are taken in.
var (
	eat  = time.FixedZone("EAT", 3*3600)  // Kenya, Tanzania
	sast = time.FixedZone("SAST", 2*3600) // South Africa
	fjt  = time.FixedZone("FJT", 12*3600) // Fiji
	wst  = time.FixedZone("WST", 13*3600) // Samoa
	ict  = time.FixedZone("ICT", 7*3600)  // Viet Nam
)

// shot is one photo of the sample.
type shot struct {
	name  string // file name
	place string // where it was taken, as the README names it
	taken time.Time
	gps   *testphoto.GPS // nil: taken with the phone's location off
	scene func(img *image.RGBA, rng *rand.Rand)
	// deleted marks the photo deleted from the card.
	deleted bool
}

// cardShots are the photos of the card's DCIM/Camera, in the order taken.
var cardShots = []shot{
	{"IMG_20230812_071522.jpg", "Kruger National Park, near Skukuza, South Africa",
		time.Date(2023, 8, 12, 7, 15, 22, 0, sast), &testphoto.GPS{Latitude: -24.9857, Longitude: 31.5969, Altitude: 268, Direction: 112.4},
		savanna, false},
	{"IMG_20230903_054018.jpg", "Tsavo East National Park, Galana River camp, Kenya",
		time.Date(2023, 9, 3, 5, 40, 18, 0, eat), &testphoto.GPS{Latitude: -3.0211, Longitude: 38.7432, Altitude: 221, Direction: 251.0},
		savanna, false},
	{"IMG_20230903_054511.jpg", "Tsavo East National Park, 800 m north of the camp, Kenya",
		time.Date(2023, 9, 3, 5, 45, 11, 0, eat), &testphoto.GPS{Latitude: -3.0139, Longitude: 38.7440, Altitude: 224, Direction: 8.3},
		tusks, true},
	{"IMG_20230907_221305.jpg", "a warehouse (location off)",
		time.Date(2023, 9, 7, 22, 13, 5, 0, eat), nil,
		sacks, false},
	{"IMG_20230915_163044.jpg", "Mombasa port, Kilindini container terminal, Kenya",
		time.Date(2023, 9, 15, 16, 30, 44, 0, eat), &testphoto.GPS{Latitude: -4.0452, Longitude: 39.6437, Altitude: 7, Direction: 301.7},
		containers, false},
	{"IMG_20231002_111937.jpg", "Dar es Salaam port, Tanzania",
		time.Date(2023, 10, 2, 11, 19, 37, 0, eat), &testphoto.GPS{Latitude: -6.8296, Longitude: 39.2892, Altitude: 5, Direction: 74.9},
		containers, false},
	{"IMG_20231118_083412.jpg", "Suva, Kings Wharf, Fiji",
		time.Date(2023, 11, 18, 8, 34, 12, 0, fjt), &testphoto.GPS{Latitude: -18.1341, Longitude: 178.4243, Altitude: 3, Direction: 198.2},
		harbour, false},
	{"IMG_20231121_170256.jpg", "Apia, Matautu wharf, Samoa",
		time.Date(2023, 11, 21, 17, 2, 56, 0, wst), &testphoto.GPS{Latitude: -13.8258, Longitude: -171.7598, Altitude: 2, Direction: 15.6},
		harbour, false},
	{"IMG_20231209_142733.jpg", "Hai Phong port, Chua Ve terminal, Viet Nam",
		time.Date(2023, 12, 9, 14, 27, 33, 0, ict), &testphoto.GPS{Latitude: 20.8668, Longitude: 106.7127, Altitude: 6, Direction: 143.0},
		containers, false},
}

// sharedShot is the card photo that is also on the laptop.
const sharedShot = 4

// hostileShot is the laptop's photo whose name and metadata are markup.
var hostileShot = shot{"<img src=x onerror=alert(1)>.jpg", "Nairobi, JKIA cargo terminal, Kenya",
	time.Date(2023, 10, 20, 9, 12, 0, 0, eat), &testphoto.GPS{Latitude: -1.3192, Longitude: 36.9278, Altitude: 1624, Direction: 90},
	containers, false}

// jpeg draws and encodes the i-th photo; the same i gives the same bytes.
func (s shot) jpeg(i int, cam testphoto.Camera, artist, description string) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	s.scene(img, rand.New(rand.NewPCG(uint64(i), 2023)))
	b, err := testphoto.Encode(img, 85, testphoto.Photo{
		Camera:      cam,
		Taken:       s.taken,
		SubSec:      (i*347 + 120) % 1000,
		GPS:         s.gps,
		Artist:      artist,
		Description: description,
		Thumbnail:   true,
	})
	if err != nil {
		return nil, fmt.Errorf("photo %s: %w", s.name, err)
	}
	return b, nil
}

// The scenes. Each draws on a 320×240 image with some noise, so that
// the photos compress like photos.

func savanna(img *image.RGBA, rng *rand.Rand) {
	gradient(img, image.Rect(0, 0, 320, 140), color.RGBA{110, 160, 220, 255}, color.RGBA{215, 225, 235, 255}, rng)
	gradient(img, image.Rect(0, 140, 320, 240), color.RGBA{196, 168, 110, 255}, color.RGBA{150, 120, 70, 255}, rng)
	disc(img, 260, 40, 14, 14, color.RGBA{255, 244, 200, 255})
	for _, x := range []int{40 + rng.IntN(60), 180 + rng.IntN(80)} {
		fill(img, image.Rect(x-3, 110, x+3, 150), color.RGBA{80, 60, 40, 255}, rng)
		disc(img, x, 108, 38, 9, color.RGBA{60, 90, 40, 255})
	}
}

func tusks(img *image.RGBA, rng *rand.Rand) {
	gradient(img, img.Bounds(), color.RGBA{120, 80, 50, 255}, color.RGBA{90, 55, 35, 255}, rng)
	for k := range 2 {
		y0 := 90 + 60*k
		for t := 0.0; t <= 1; t += 0.005 {
			x := 40 + 230*t
			y := float64(y0) - 50*math.Sin(t*math.Pi*0.8)
			r := 13 * (1 - 0.8*t)
			disc(img, int(x), int(y), int(r)+1, int(r)+1, color.RGBA{236, 226, 196, 255})
		}
	}
}

func sacks(img *image.RGBA, rng *rand.Rand) {
	gradient(img, img.Bounds(), color.RGBA{40, 38, 36, 255}, color.RGBA{70, 64, 56, 255}, rng)
	for i := range 6 {
		disc(img, 45+50*i, 170-20*(i%2), 30, 45, color.RGBA{170, 140, 95, 255})
	}
	for range 60 {
		disc(img, 100+rng.IntN(120), 200+rng.IntN(30), 6, 4, color.RGBA{110, 90, 70, 255})
	}
}

func containers(img *image.RGBA, rng *rand.Rand) {
	gradient(img, image.Rect(0, 0, 320, 120), color.RGBA{150, 185, 215, 255}, color.RGBA{225, 230, 235, 255}, rng)
	fill(img, image.Rect(0, 120, 320, 200), color.RGBA{120, 120, 118, 255}, rng)
	gradient(img, image.Rect(0, 200, 320, 240), color.RGBA{40, 90, 120, 255}, color.RGBA{20, 60, 90, 255}, rng)
	colours := []color.RGBA{{30, 80, 150, 255}, {170, 40, 35, 255}, {40, 120, 70, 255}, {200, 140, 30, 255}, {230, 230, 225, 255}}
	for row := range 3 {
		for col := range 5 {
			x, y := 20+56*col, 180-28*row
			fill(img, image.Rect(x, y-26, x+54, y), colours[rng.IntN(len(colours))], rng)
			for rib := x + 4; rib < x+54; rib += 6 {
				fill(img, image.Rect(rib, y-24, rib+1, y-2), color.RGBA{20, 20, 20, 255}, rng)
			}
		}
	}
	fill(img, image.Rect(296, 20, 302, 200), color.RGBA{200, 50, 40, 255}, rng)
	fill(img, image.Rect(200, 20, 316, 28), color.RGBA{200, 50, 40, 255}, rng)
}

func harbour(img *image.RGBA, rng *rand.Rand) {
	gradient(img, image.Rect(0, 0, 320, 110), color.RGBA{120, 170, 225, 255}, color.RGBA{200, 220, 240, 255}, rng)
	for x := range 320 {
		top := 90 - int(25*math.Sin(float64(x)/60+rng.Float64()*0.02))
		fill(img, image.Rect(x, top, x+1, 110), color.RGBA{50, 110, 60, 255}, rng)
	}
	gradient(img, image.Rect(0, 110, 320, 240), color.RGBA{30, 120, 150, 255}, color.RGBA{10, 60, 90, 255}, rng)
	hull := color.RGBA{uint8(150 + rng.IntN(100)), 40, 40, 255}
	for y := 150; y < 185; y++ {
		in := (y - 150) / 2
		fill(img, image.Rect(70+in, y, 250-in, y+1), hull, rng)
	}
	fill(img, image.Rect(170, 120, 230, 150), color.RGBA{235, 235, 230, 255}, rng)
}

// fill paints r in c with a little noise.
func fill(img *image.RGBA, r image.Rectangle, c color.RGBA, rng *rand.Rand) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			n := rng.IntN(13) - 6
			img.SetRGBA(x, y, color.RGBA{clamp(int(c.R) + n), clamp(int(c.G) + n), clamp(int(c.B) + n), 255})
		}
	}
}

// gradient paints r from top to bottom, from colour a to colour b.
func gradient(img *image.RGBA, r image.Rectangle, a, b color.RGBA, rng *rand.Rand) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		t := float64(y-r.Min.Y) / float64(max(1, r.Dy()-1))
		mix := func(p, q uint8) uint8 { return uint8(float64(p) + t*(float64(q)-float64(p))) }
		fill(img, image.Rect(r.Min.X, y, r.Max.X, y+1), color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}, rng)
	}
}

// disc paints the ellipse of radii rx, ry around cx, cy.
func disc(img *image.RGBA, cx, cy, rx, ry int, c color.RGBA) {
	for y := -ry; y <= ry; y++ {
		for x := -rx; x <= rx; x++ {
			if x*x*ry*ry+y*y*rx*rx <= rx*rx*ry*ry && image.Pt(cx+x, cy+y).In(img.Bounds()) {
				img.SetRGBA(cx+x, cy+y, c)
			}
		}
	}
}

func clamp(v int) uint8 { return uint8(min(255, max(0, v))) }
