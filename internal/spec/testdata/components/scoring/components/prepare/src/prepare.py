print("prepare")
