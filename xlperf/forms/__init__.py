"""Form reading: find the forms on a sheet by their labels and read them into the model."""
